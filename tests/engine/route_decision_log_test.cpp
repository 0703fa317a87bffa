// The decision log's rules (engine/route/decision_log.h): which arm a reward goes to and the
// refusals, the router's table options, when a calibration re-aims, taking rewards back,
// and the pruning schedule.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "route/decision_log.h"

namespace iccache::route {
namespace {

Router two_arms() {
  RouterConfig c;
  c.arms = {{"small", 0.25, false}, {"large", 1, false}};
  return Router(c);
}

Features context(double s) {
  Features x{};
  x[0] = 1;
  for (size_t i = 1; i < x.size(); ++i) x[i] = 0.3 * std::sin(s * static_cast<double>(i));
  return x;
}

std::string refusal(const Router& r, const LoggedRewards& d, std::string_view arm) {
  try {
    reward_target(r, d, arm, "ex");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(RouteDecisionLog, RewardGoesToTheServedOrTheShadowArm) {
  const Router r = two_arms();
  const LoggedRewards d{7, "large", "small", std::nullopt, std::nullopt};
  RewardTarget to = reward_target(r, d, "", "ex");
  EXPECT_EQ(to.arm, 1);
  EXPECT_FALSE(to.shadow);
  to = reward_target(r, d, "large", "ex");
  EXPECT_EQ(to.arm, 1);
  EXPECT_FALSE(to.shadow);
  to = reward_target(r, d, "small", "ex");
  EXPECT_EQ(to.arm, 0);
  EXPECT_TRUE(to.shadow);
}

TEST(RouteDecisionLog, RefusesASecondRewardAnotherArmAndAnArmNoLongerConfigured) {
  const Router r = two_arms();
  EXPECT_EQ(refusal(r, {7, "large", "small", 0.7, std::nullopt}, ""),
            "iccache_feedback: decision 7 of ex already has a reward (0.7); expected one reward per decision");
  EXPECT_EQ(refusal(r, {7, "large", "small", std::nullopt, 0.25}, "small"),
            "iccache_feedback: the shadow arm 'small' of decision 7 of ex already has a reward (0.25); expected"
            " one reward per arm and decision");
  EXPECT_EQ(refusal(r, {7, "large", "small", std::nullopt, std::nullopt}, "medium"),
            "iccache_feedback: decision 7 of ex served 'large' with shadow arm 'small'; expected one of those as"
            " the arm, not 'medium'");
  EXPECT_EQ(refusal(r, {7, "large", "", std::nullopt, std::nullopt}, "small"),
            "iccache_feedback: decision 7 of ex served 'large' and has no shadow arm; expected one of those as"
            " the arm, not 'small'");
  EXPECT_EQ(refusal(r, {7, "old", "", std::nullopt, std::nullopt}, ""),
            "iccache_feedback: decision 7 of ex served 'old', which is no longer one of its arms");
  EXPECT_EQ(refusal(r, {7, "large", "old", std::nullopt, std::nullopt}, "old"),
            "iccache_feedback: decision 7 of ex named 'old' as its shadow arm, which is no longer one of its arms");
}

TEST(RouteDecisionLog, RouterConfigFromTableOptions) {
  TableOptions o;
  o.models = {{"small", 0.25}, {"large", 1}};
  o.route.cache_arm = true;
  o.seed = 9;
  RouterConfig c = router_config(o);
  ASSERT_EQ(c.arms.size(), 3u);
  EXPECT_EQ(c.arms[2].name, "cache");
  EXPECT_TRUE(c.arms[2].needs_examples);
  EXPECT_EQ(c.policy, Policy::kThompson);
  EXPECT_EQ(c.exploration, 0.1);
  EXPECT_EQ(c.seed, 9u);
  o.route.bandit = BanditKind::kLinUcb;
  c = router_config(o);
  EXPECT_EQ(c.policy, Policy::kLinUcb);
  EXPECT_EQ(c.exploration, 0.5);
  const Router r(c);
  EXPECT_EQ(r.arm_index("large"), 1);
  EXPECT_EQ(r.arm_index("cache"), 2);
  EXPECT_EQ(r.arm_index("medium"), -1);
}

TEST(RouteDecisionLog, ReaimDueEveryIntervalOfRewardsSinceTheCalibration) {
  Router r = two_arms();
  EXPECT_FALSE(reaim_due(r));  // not calibrated
  Calibration c;
  c.share = 0.5;
  c.window = 100;  // reaim_interval: max(100 / 20, 10) = 10
  c.rewards_at = 0;
  r.set_calibration(c);
  for (int i = 0; i < 8; ++i) r.arm(0).update(context(i), 0.5);
  EXPECT_FALSE(reaim_due(r));  // the 9th reward
  r.arm(0).update(context(8), 0.5);
  EXPECT_TRUE(reaim_due(r));  // the 10th
}

TEST(RouteDecisionLog, ReaimedAdoptsTheUpdateAndRecalibratesOnTheWindow) {
  Router r = two_arms();
  std::vector<LoggedDecision> recent;
  for (int i = 0; i < 40; ++i) recent.push_back({context(i), static_cast<uint64_t>(i + 1)});
  CalibrationResult first = calibrate_router(r, recent, 0.3);
  first.calibration.window = 40;
  r.set_cost_weight(first.cost_weight);
  r.set_calibration(first.calibration);
  LinearArm updated = r.arm(1);
  updated.update(context(3), 0.0);
  EXPECT_FALSE(reaimed(r, 1, updated, {}));
  const std::optional<Router> next = reaimed(r, 1, updated, recent);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->arm(1).n(), 1);
  Router expected = r;
  expected.arm(1) = updated;
  const CalibrationResult c = calibrate_router(expected, recent, 0.3);
  EXPECT_EQ(next->cost_weight(), c.cost_weight);
  EXPECT_EQ(next->calibration()->thresholds, c.calibration.thresholds);
  EXPECT_EQ(next->calibration()->window, 40);
  EXPECT_EQ(r.arm(1).n(), 0);  // r itself is left as it was
}

TEST(RouteDecisionLog, UndoRewardsTakesBackTheRewardsOfConfiguredArms) {
  Router r = two_arms();
  for (int i = 0; i < 10; ++i) r.arm(i % 2).update(context(i), 0.1 * i);
  const std::vector<GivenReward> given = {{"large", context(3), 0.3}, {"gone", context(4), 0.4}};
  const UndoneRewards u = undo_rewards(r, given);
  EXPECT_EQ(u.count, 1);
  EXPECT_EQ(u.changed, (std::vector<bool>{false, true}));
  EXPECT_EQ(u.arms[1].n(), 4);
  EXPECT_EQ(u.arms[0].n(), 5);
  EXPECT_EQ(r.arm(1).n(), 5);  // r itself is left as it was
}

TEST(RouteDecisionLog, PrunesEveryEighthDecisionAFewRowsPastTtlOrLimit) {
  RouteOptions o;
  o.decision_ttl = 100;
  o.decision_limit = 1000;
  EXPECT_FALSE(log_prune_due(7, 5000, o));
  const std::optional<LogPrune> p = log_prune_due(16, 5000, o);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->before, 4900);
  EXPECT_EQ(p->up_to_id, 16 - 1000);
  EXPECT_EQ(p->batch, 32);
}

}  // namespace
}  // namespace iccache::route
