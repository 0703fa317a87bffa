// Threshold tuner: converges to the best grid threshold of a simulated reward curve (value =
// reward - prefill penalty x examples shown), explores the configured share only once
// rewards arrive, is deterministic under the seed, and round-trips through its blob.
#include <gtest/gtest.h>

#include <random>

#include "route/rng.h"
#include "select/threshold_tuner.h"

namespace iccache::select {
namespace {

const std::vector<double> kGrid = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};

// Simulated serving: a higher threshold shows fewer examples (5 at 0, none at 0.7); the
// reward curve rises while bad examples are cut and falls once good ones go too.
struct Curve {
  std::vector<double> reward;  // mean reward per grid point
  static int shown(int i) { return std::max(0, 5 - (5 * i) / 7); }
  int best(double penalty) const {
    int b = 0;
    for (int i = 0; i < static_cast<int>(reward.size()); ++i)
      if (reward[i] - penalty * shown(i) > reward[b] - penalty * shown(b)) b = i;
    return b;
  }
};

int run(const Curve& c, double explore, uint64_t seed, int requests, int* moves = nullptr) {
  ThresholdTuner t(kGrid, explore, 0.01, seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.15);
  for (int r = 0; r < requests; ++r) {
    const ThresholdDraw d = t.draw(route::splitmix64(r));
    const double reward = std::clamp(c.reward[d.index] + noise(rng), 0.0, 1.0);
    if (t.record(d.index, reward, Curve::shown(d.index)) && moves) ++*moves;
  }
  return t.current();
}

TEST(ThresholdTuner, ConvergesToTheBestGridThreshold) {
  const Curve peaked{{0.55, 0.60, 0.66, 0.70, 0.64, 0.58, 0.50, 0.45}};
  const Curve falling{{0.70, 0.66, 0.62, 0.58, 0.54, 0.50, 0.46, 0.42}};
  const Curve late{{0.40, 0.42, 0.44, 0.46, 0.48, 0.50, 0.53, 0.60}};
  ASSERT_EQ(peaked.best(0.01), 3);
  ASSERT_EQ(falling.best(0.01), 0);
  ASSERT_EQ(late.best(0.01), 7);
  for (uint64_t seed : {1, 2, 3}) {
    EXPECT_EQ(run(peaked, 0.05, seed, 60000), 3) << seed;
    EXPECT_EQ(run(falling, 0.05, seed, 60000), 0) << seed;
    EXPECT_EQ(run(late, 0.05, seed, 60000), 7) << seed;
    EXPECT_EQ(run(peaked, 0.3, seed, 10000), 3) << seed;
  }
}

TEST(ThresholdTuner, ExploresTheConfiguredShareOnlyOnceRewardsArrive) {
  ThresholdTuner t(kGrid, 0.05, 0.01, 9);
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_FALSE(t.draw(k).explored);  // no rewards yet
  t.record(0, 0.5, 5);
  int explored = 0, off_current = 0;
  const int n = 100000;
  for (uint64_t k = 0; k < n; ++k) {
    const ThresholdDraw d = t.draw(route::splitmix64(k));
    explored += d.explored;
    off_current += d.index != 0;
    EXPECT_EQ(d.index, t.draw(route::splitmix64(k)).index);  // a pure function of the key
  }
  EXPECT_NEAR(explored / double(n), 0.05, 0.003);
  EXPECT_NEAR(off_current / double(n), 0.05 * 7 / 8, 0.003);  // a draw may hit the current one
  // Another seed draws other requests.
  ThresholdTuner other(kGrid, 0.05, 0.01, 10);
  other.record(0, 0.5, 5);
  int differ = 0;
  for (uint64_t k = 0; k < 1000; ++k) differ += other.draw(k).explored != t.draw(k).explored;
  EXPECT_GT(differ, 20);
  ThresholdTuner none(kGrid, 0, 0.01, 9);
  none.record(0, 0.5, 5);
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_FALSE(none.draw(k).explored);
}

TEST(ThresholdTuner, NeedsEvidenceBeforeMoving) {
  ThresholdTuner t(kGrid, 0.05, 0.0, 1);
  for (int i = 0; i < 29; ++i) t.record(0, 0.2, 5), t.record(3, 0.9, 2);
  EXPECT_EQ(t.current(), 0);  // 29 values each: not yet
  EXPECT_TRUE(t.record(0, 0.2, 5) | t.record(3, 0.9, 2));
  EXPECT_EQ(t.current(), 3);
  EXPECT_DOUBLE_EQ(t.threshold(), 0.3);
  EXPECT_DOUBLE_EQ(t.arms()[3].mean(), 0.9);
}

TEST(ThresholdTuner, PenaltyChargesEachExampleShown) {
  ThresholdTuner t(kGrid, 0.05, 0.02, 1);
  t.record(2, 0.5, 5);
  EXPECT_DOUBLE_EQ(t.arms()[2].mean(), 0.4);
}

TEST(ThresholdTuner, SerialisationRoundTrips) {
  ThresholdTuner t(kGrid, 0.05, 0.01, 4);
  for (int i = 0; i < 40; ++i) t.record(0, 0.1, 5), t.record(5, 0.8, 1);
  ASSERT_EQ(t.current(), 5);
  ThresholdTuner r(kGrid, 0.05, 0.01, 4);
  ASSERT_TRUE(r.deserialize(t.serialize()));
  EXPECT_EQ(r.serialize(), t.serialize());
  EXPECT_EQ(r.current(), 5);
  ThresholdTuner smaller({0, 0.5}, 0.05, 0.01, 4);
  EXPECT_FALSE(smaller.deserialize(t.serialize()));  // another grid: does not fit
  EXPECT_EQ(smaller.current(), 0);
}

}  // namespace
}  // namespace iccache::select
