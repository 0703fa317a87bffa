// Calibration: the cost weight sends the target share of recent decisions to the most
// expensive arm (within 2 points), also on fresh decisions from the same distribution.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "route/calibrate.h"
#include "route_test_util.h"

namespace iccache::route {
namespace {

Router trained_router() {
  RouterConfig c;
  c.arms = {{"small", 0.1}, {"large", 1.0}};
  c.policy = Policy::kLinUcb;
  c.explore_rate = 0;
  Router r(c);
  testing::Problem prob(21);
  for (int i = 0; i < 3000; ++i) {
    Features x = prob.context();
    const int arm = i % 2;
    r.learn(arm, x, prob.reward(arm, x));
  }
  return r;
}

std::vector<LoggedDecision> contexts(uint64_t seed, int n) {
  testing::Problem prob(seed);
  std::vector<LoggedDecision> xs;
  for (int i = 0; i < n; ++i) xs.push_back({prob.context(), seed * 100000 + i});
  return xs;
}

TEST(Calibrate, HitsTheTargetShare) {
  Router r = trained_router();
  // 4,000 recent decisions keep the sampling error on fresh ones near 0.7 points.
  std::vector<LoggedDecision> recent = contexts(1, 4000), fresh = contexts(2, 5000);
  for (double share : {0.0, 0.1, 0.25, 0.5, 0.8, 1.0}) {
    const double w = calibrate_cost_weight(r, recent, share);
    EXPECT_NEAR(expensive_share(r, recent, w), share, 0.02) << share;
    EXPECT_NEAR(expensive_share(r, fresh, w), share, 0.02) << share;
    // Routing itself (no exploration, no load) follows the calibrated weight.
    Router routed = r;
    routed.set_cost_weight(w);
    int expensive = 0;
    for (const LoggedDecision& d : fresh) expensive += routed.decide(d.x, 0, d.id).arm == 1;
    EXPECT_NEAR(expensive / 5000.0, share, 0.03) << share;
  }
}

TEST(Calibrate, ShareFallsAsTheWeightRises) {
  Router r = trained_router();
  std::vector<LoggedDecision> recent = contexts(3, 500);
  double prev = 1.1;
  for (double w = -1; w <= 2; w += 0.05) {
    const double s = expensive_share(r, recent, w);
    EXPECT_LE(s, prev);
    prev = s;
  }
}

TEST(Calibrate, Errors) {
  Router r = trained_router();
  std::vector<LoggedDecision> none;
  EXPECT_THROW(calibrate_cost_weight(r, none, 0.5), Error);
  RouterConfig same;
  same.arms = {{"a", 1.0}, {"b", 1.0}};
  Router flat(same);
  std::vector<LoggedDecision> xs = contexts(4, 10);
  EXPECT_THROW(calibrate_cost_weight(flat, xs, 0.5), Error);
}

TEST(Calibrate, StoredFormRoundTripAndRefusals) {
  Calibration c;
  c.share = 0.3;
  c.band = 0.01;
  c.window = 500;
  c.rewards_at = 42;
  c.thresholds = {-1, 0.25, 0.25, 3};
  const std::string blob = serialize_calibration(c);
  EXPECT_EQ(blob.size(), 8 * sizeof(double));
  const std::optional<Calibration> back = parse_calibration(blob);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->share, 0.3);
  EXPECT_EQ(back->band, 0.01);
  EXPECT_EQ(back->window, 500);
  EXPECT_EQ(back->rewards_at, 42);
  EXPECT_EQ(back->thresholds, c.thresholds);
  auto with = [&](auto change) {
    Calibration d = c;
    change(d);
    return parse_calibration(serialize_calibration(d)).has_value();
  };
  EXPECT_FALSE(with([](Calibration& d) { d.share = 1.5; }));
  EXPECT_FALSE(with([](Calibration& d) { d.band = -1; }));
  EXPECT_FALSE(with([](Calibration& d) { d.window = 0; }));
  EXPECT_FALSE(with([](Calibration& d) { d.rewards_at = -1; }));
  EXPECT_FALSE(with([](Calibration& d) { d.thresholds = {1, 0.5}; }));  // not ascending
  EXPECT_FALSE(with([](Calibration& d) { d.thresholds = {std::nan("")}; }));
  EXPECT_FALSE(with([](Calibration& d) { d.thresholds.clear(); }));  // at least one threshold
  EXPECT_FALSE(parse_calibration(blob.substr(0, 4 * sizeof(double))));  // too short
  EXPECT_FALSE(parse_calibration(blob.substr(0, blob.size() - 1)));     // not whole float64s
}

}  // namespace
}  // namespace iccache::route
