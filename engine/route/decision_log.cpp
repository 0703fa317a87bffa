#include "route/decision_log.h"

#include "common/error.h"
#include "common/number_format.h"

namespace iccache::route {

namespace {

std::string decision_of(const LoggedRewards& d, std::string_view table) {
  return "decision " + std::to_string(d.decision) + " of " + std::string(table);
}

}  // namespace

RewardTarget reward_target(const Router& r, const LoggedRewards& d, std::string_view arm, std::string_view table) {
  const std::string of = decision_of(d, table);
  const bool shadow = !arm.empty() && arm != d.arm;
  if (shadow && arm != d.shadow)
    throw Error("iccache_feedback: " + of + " served '" + std::string(d.arm) + "'" +
                (d.shadow.empty() ? std::string(" and has no shadow arm")
                                  : " with shadow arm '" + std::string(d.shadow) + "'") +
                "; expected one of those as the arm, not '" + std::string(arm) + "'");
  // The same two rules for either arm, worded for the one rewarded.
  const std::string name(shadow ? d.shadow : d.arm);
  if (const std::optional<double> given = shadow ? d.shadow_reward : d.reward)
    throw Error("iccache_feedback: " + (shadow ? "the shadow arm '" + name + "' of " + of : of) +
                " already has a reward (" + format_number(*given) + "); expected one reward per " +
                (shadow ? "arm and decision" : "decision"));
  const int index = r.arm_index(name);
  if (index < 0)
    throw Error("iccache_feedback: " + of + (shadow ? " named '" + name + "' as its shadow arm" : " served '" + name + "'") +
                ", which is no longer one of its arms");
  return {index, shadow};
}

bool reaim_due(const Router& r) {
  const auto& cal = r.calibration();
  return cal && r.total_rewards() + 1 - cal->rewards_at >= reaim_interval(cal->window);
}

std::optional<Router> reaimed(const Router& r, int arm, const LinearArm& updated,
                              std::span<const LoggedDecision> recent) {
  if (recent.empty() || !r.calibration()) return std::nullopt;
  Router next = r;
  next.arm(arm) = updated;
  CalibrationResult c = calibrate_router(next, recent, r.calibration()->share);
  c.calibration.window = r.calibration()->window;
  next.set_cost_weight(c.cost_weight);
  next.set_calibration(std::move(c.calibration));
  return next;
}

UndoneRewards undo_rewards(const Router& r, std::span<const GivenReward> given) {
  UndoneRewards out;
  for (int i = 0; i < r.arm_count(); ++i) out.arms.push_back(r.arm(i));
  out.changed.assign(out.arms.size(), false);
  for (const GivenReward& g : given) {
    const int arm = r.arm_index(g.arm);
    if (arm < 0) continue;  // an arm no longer configured: nothing of it is used
    if (out.arms[arm].downdate(g.features, g.reward)) {
      out.changed[arm] = true;
      ++out.count;
    }
  }
  return out;
}

std::optional<LogPrune> log_prune_due(int64_t decision, double time, const RouteOptions& o) {
  if (decision % kPruneEvery != 0) return std::nullopt;
  return LogPrune{time - o.decision_ttl, decision - o.decision_limit, kPruneBatch};
}

}  // namespace iccache::route
