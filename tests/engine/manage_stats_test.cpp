// Example statistics: G(e), offloads, EMAs and decayed counters against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "manage/example_stats.h"
#include "manage/replay_queue.h"

namespace iccache::manage {
namespace {

constexpr double kHour = 3600;

StatsParams params() {
  StatsParams p;
  p.ema_alpha = 0.25;
  p.half_life = kHour;
  p.success_reward = 0.6;
  return p;
}

TEST(ManageStats, PotentialGainIsOneMinusQualityTimesNormalisedCost) {
  EXPECT_DOUBLE_EQ(potential_gain({0.25, 1.0, 1.0, 0}), 0.75);
  EXPECT_DOUBLE_EQ(potential_gain({0.5, 0.1, 1.0, 0}), 0.05);
  EXPECT_DOUBLE_EQ(potential_gain({0.5, 2.0, 4.0, 0}), 0.25);
  EXPECT_DOUBLE_EQ(potential_gain({1.0, 1.0, 1.0, 0}), 0.0);
  EXPECT_DOUBLE_EQ(potential_gain({0.0, 0.0, 0.0, 0}), 0.0);  // all arms free: nothing to gain
}

TEST(ManageStats, OffloadNeedsACheaperArmAndEnoughReward) {
  const StatsParams p = params();
  EXPECT_TRUE(is_offload({0.6, 0.1, 1.0, 0}, p));
  EXPECT_FALSE(is_offload({0.59, 0.1, 1.0, 0}, p));
  EXPECT_FALSE(is_offload({1.0, 1.0, 1.0, 0}, p));  // the most expensive arm is no offload
}

TEST(ManageStats, DecayHalvesPerHalfLifeAndNeverGrows) {
  EXPECT_DOUBLE_EQ(decay(8, 100, 100 + 3 * kHour, kHour), 1.0);
  EXPECT_DOUBLE_EQ(decay(2, 0, kHour / 2, kHour), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(decay(5, 100, 50, kHour), 5.0);
}

TEST(ManageStats, FeedbackSequenceFollowsTheFormulas) {
  const StatsParams p = params();
  ExampleStats s;
  s.decay_at = 1000;  // created_at: value starts at 1 (the new-example prior)
  // 1) large model, reward 0.2, one hour after creation: G = 0.8, no offload.
  apply_feedback(s, {0.2, 1.0, 1.0, 1000 + kHour}, p);
  EXPECT_EQ(s.uses, 1);
  EXPECT_EQ(s.offloads, 0);
  EXPECT_DOUBLE_EQ(s.gain, 0.8);  // first observation sets the EMA
  EXPECT_DOUBLE_EQ(s.quality_ema, 0.2);
  EXPECT_DOUBLE_EQ(s.value, 0.5);
  EXPECT_DOUBLE_EQ(s.recent_uses, 1.0);
  EXPECT_DOUBLE_EQ(s.decay_at, 1000 + kHour);
  // 2) small model (cost 0.1 of 1.0), reward 0.8, two hours later: G = 0.02, offload.
  apply_feedback(s, {0.8, 0.1, 1.0, 1000 + 3 * kHour}, p);
  EXPECT_EQ(s.uses, 2);
  EXPECT_EQ(s.offloads, 1);
  EXPECT_DOUBLE_EQ(s.gain, 0.8 + 0.25 * (0.02 - 0.8));
  EXPECT_DOUBLE_EQ(s.quality_ema, 0.2 + 0.25 * (0.8 - 0.2));
  EXPECT_DOUBLE_EQ(s.value, 0.125 + 1.0);
  EXPECT_DOUBLE_EQ(s.recent_uses, 0.25 + 1.0);
  // 3) a late feedback (before decay_at) counts as arriving with the last one.
  apply_feedback(s, {0.9, 0.1, 1.0, 1000}, p);
  EXPECT_EQ(s.offloads, 2);
  EXPECT_DOUBLE_EQ(s.value, 2.125);
  EXPECT_DOUBLE_EQ(s.recent_uses, 2.25);
  EXPECT_DOUBLE_EQ(s.decay_at, 1000 + 3 * kHour);
  // Expected gain one half-life later: gain * recent_uses / 2.
  const double g = s.gain;
  EXPECT_DOUBLE_EQ(expected_gain(s, 1000 + 4 * kHour, p), g * 1.125);
}

TEST(ManageStats, ReplayRestartsTheEmasButKeepsCounts) {
  const StatsParams p = params();
  ExampleStats s;
  apply_feedback(s, {0.0, 1.0, 1.0, 10}, p);
  apply_feedback(s, {0.9, 0.1, 1.0, 10}, p);
  reset_after_replay(s);
  EXPECT_EQ(s.uses, 2);
  EXPECT_EQ(s.offloads, 1);
  EXPECT_EQ(s.gain, 0.0);
  EXPECT_EQ(s.ema_count, 0);
  apply_feedback(s, {0.5, 1.0, 1.0, 10}, p);
  EXPECT_DOUBLE_EQ(s.gain, 0.5);  // first observation after the replay sets it again
  EXPECT_DOUBLE_EQ(s.quality_ema, 0.5);
}

TEST(ReplayQueue, OrdersByExpectedGainThenIdAndCutsAtTheCost) {
  std::vector<ReplayEntry> e = {{5, 0.1}, {2, 0.4}, {9, 0.2}, {1, 0.2}, {3, 0.0}};
  auto ids = [](const std::vector<ReplayEntry>& r) {
    std::vector<int64_t> out;
    for (const auto& x : r) out.push_back(x.id);
    return out;
  };
  EXPECT_EQ(ids(rank_for_replay(e, std::nullopt, std::nullopt)), (std::vector<int64_t>{2, 1, 9, 5, 3}));
  EXPECT_EQ(ids(rank_for_replay(e, 0.1, std::nullopt)), (std::vector<int64_t>{2, 1, 9}));  // 0.1 is not > 0.1
  EXPECT_EQ(ids(rank_for_replay(e, 0.0, 2)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(ids(rank_for_replay(e, 1.0, 10)), (std::vector<int64_t>{}));
}

TEST(ManageStats, ReplayEntryReadsTheStoredColumnsAtNow) {
  const ReplayEntry e = replay_entry(7, 0.5, 3.0, 1000, 1000 + kHour, params());  // one half-life later
  EXPECT_EQ(e.id, 7);
  EXPECT_DOUBLE_EQ(e.expected_gain, 0.5 * 1.5);
}

}  // namespace
}  // namespace iccache::manage
