// A training from start to end (engine/index/training_run.h) over a fake store: the lock
// row taken, kept from another live process, taken over when stale, released on failure;
// a background job that finds nothing to do, one that trains, one that fails; a training
// in the caller's transaction.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "index/training_run.h"
#include "training_store_fake.h"

namespace iccache::index {
namespace {

using testing::FakeClock;
using testing::FakeTrainingStore;

int count(const std::vector<std::string>& calls, const std::string& what) {
  return static_cast<int>(std::count(calls.begin(), calls.end(), what));
}

TEST(TrainingRun, TakesAFreeLockWithTheLogPosition) {
  FakeTrainingStore s;
  s.feed.write(1);
  s.feed.write(2);
  FakeClock clock;
  clock.t = 5;
  ASSERT_TRUE(take_lock(s, 4242, clock));
  EXPECT_EQ(s.lock.pid, 4242);
  EXPECT_EQ(s.lock.since, 1e9 + 5);
  EXPECT_EQ(s.lock_log_seq, 2);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "put_lock", "commit"}));
  // Its own (a job of this process): taken again.
  EXPECT_TRUE(take_lock(s, 4242, clock));
}

TEST(TrainingRun, LeavesALiveHolderAndTakesOverAStaleOne) {
  FakeTrainingStore s;
  FakeClock clock;
  const int64_t parent = getppid();  // alive while this test runs
  s.lock = {parent, 1e9 - 60};
  EXPECT_FALSE(take_lock(s, 4242, clock));
  EXPECT_EQ(s.lock.pid, parent);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "commit"}));
  s.lock = {parent, 1e9 - kLockLeaseSeconds - 1};  // older than the lease
  EXPECT_TRUE(take_lock(s, 4242, clock));
  EXPECT_EQ(s.lock.pid, 4242);
  EXPECT_EQ(s.lock_log_seq, std::nullopt);  // an empty log
}

TEST(TrainingRun, BeginWriteTriesSixTimesWhileBusy) {
  FakeTrainingStore s;
  s.busy_tries = 5;
  s.begin_write();
  EXPECT_EQ(s.calls, (std::vector<std::string>{"busy", "busy", "busy", "busy", "busy", "begin_write"}));
  s.calls.clear();
  s.busy_tries = 6;
  EXPECT_THROW(s.begin_write(), std::runtime_error);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"busy", "busy", "busy", "busy", "busy", "busy, last try"}));
}

TEST(TrainingRun, ReleaseSwallowsAFailure) {
  struct Failing : FakeTrainingStore {
    void drop_lock() override { throw std::runtime_error("busy"); }
  } s;
  release_lock(s);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "rollback"}));
}

TEST(TrainingRun, BackgroundJobOnAnEmptyTableOnlyDropsTheLock) {
  FakeTrainingStore s;
  TrainingStatus st;
  FakeClock clock;
  run_background_training(s, st, {4, false, 42, 10}, false, clock);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "put_lock", "commit", "begin_read", "commit",
                                               "begin_write", "drop_lock", "commit"}));
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.runs, 0);
}

TEST(TrainingRun, BackgroundJobSkipsATableTrainedMeanwhileUnlessForced) {
  FakeTrainingStore s;
  s.add_examples(30);
  s.trained = 10;  // 30 < 4 x 10: not due
  TrainingStatus st;
  FakeClock clock;
  run_background_training(s, st, {4, false, 42, 10}, false, clock);
  EXPECT_EQ(count(s.calls, "finish"), 0);
  EXPECT_EQ(s.lock.pid, 0);
  EXPECT_EQ(st.state, "idle");
  run_background_training(s, st, {4, false, 42, 10}, true, clock);
  EXPECT_EQ(count(s.calls, "finish"), 1);
  EXPECT_EQ(st.background_runs, 1);
}

TEST(TrainingRun, BackgroundJobTrainsSwitchesPublishesAndClearsTheOldTable) {
  FakeTrainingStore s;
  s.add_examples(30);
  for (int64_t id = 1; id <= 30; ++id) s.rows[0][id] = 0;  // the rows before training
  s.feed.write(30);
  TrainingStatus st;
  ASSERT_TRUE(st.try_queue(TrainingRequest::kDue, 0));
  FakeClock clock;
  clock.tick = 0.001;
  run_background_training(s, st, {4, true, 42, 10}, false, clock);
  EXPECT_EQ(s.slot, 1);
  EXPECT_EQ(s.rows[1].size(), 30u);
  EXPECT_TRUE(s.rows[0].empty());
  EXPECT_EQ(s.publishes, 1);
  EXPECT_EQ(s.lock.pid, 0);
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.runs, 1);
  EXPECT_EQ(st.background_runs, 1);
  EXPECT_GT(st.last_seconds, 0);
  // publish comes right after the switch's commit, before the old table is emptied.
  const auto publish = std::find(s.calls.begin(), s.calls.end(), "publish");
  ASSERT_NE(publish, s.calls.end());
  EXPECT_EQ(*(publish - 1), "commit");
  EXPECT_EQ(*(publish - 2), "note_switch_seconds");
  EXPECT_EQ(s.calls.back(), "commit");
  EXPECT_EQ(*(s.calls.end() - 2), "drop_lock");
}

TEST(TrainingRun, BackgroundJobReleasesTheLockWhenItFails) {
  struct Failing : FakeTrainingStore {
    void create_alt() override { throw std::runtime_error("disk I/O error"); }
  } s;
  s.add_examples(30);
  TrainingStatus st;
  FakeClock clock;
  EXPECT_THROW(run_background_training(s, st, {4, false, 42, 10}, false, clock), std::runtime_error);
  EXPECT_EQ(s.lock.pid, 0);
  const std::vector<std::string> tail(s.calls.end() - 5, s.calls.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"begin_write", "rollback", "begin_write", "drop_lock", "commit"}));
}

TEST(TrainingRun, BackgroundJobLeavesALockTakenElsewhere) {
  FakeTrainingStore s;
  s.add_examples(30);
  s.lock = {getppid(), 1e9};
  TrainingStatus st;
  FakeClock clock;
  clock.t = 3;
  run_background_training(s, st, {4, false, 42, 10}, false, clock);
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.retry_at, 3 + kRetryPauseSeconds);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "commit"}));
}

TEST(TrainingRun, InPlaceRewritesSlotZeroAndEmptiesTheOther) {
  FakeTrainingStore s;
  s.add_examples(30);
  s.alt = true;
  s.slot = 1;
  s.slot_key = true;
  s.rows[1][5] = 2;
  s.rows[0][99] = 1;
  TrainingStatus st;
  FakeClock clock;
  clock.tick = 0.5;
  train_in_place(s, st, {4, false, 42, 10}, clock);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"clear_rows 1", "reset_slot", "clear_rows 0", "finish", "publish"}));
  EXPECT_EQ(s.slot, 0);
  EXPECT_FALSE(s.slot_key);
  EXPECT_EQ(s.rows[0].size(), 30u);
  EXPECT_TRUE(s.rows[1].empty());
  EXPECT_EQ(st.runs, 1);  // counted as a training now (TrainingStatus::done_now)
  EXPECT_EQ(st.background_runs, 0);
}

TEST(TrainingRun, InPlaceKeepsTheOtherTableOfALiveBackgroundTraining) {
  FakeTrainingStore s;
  s.add_examples(30);
  s.alt = true;
  s.rows[1][5] = 2;
  s.lock = {getppid(), 1e9};
  TrainingStatus st;
  FakeClock clock;
  train_in_place(s, st, {4, false, 42, 10}, clock);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"clear_rows 0", "finish", "publish"}));
  EXPECT_EQ(s.rows[1].size(), 1u);
}

TEST(TrainingRun, InPlaceOnAnEmptyTableWritesNothing) {
  FakeTrainingStore s;
  TrainingStatus st;
  FakeClock clock;
  train_in_place(s, st, {4, false, 42, 10}, clock);
  EXPECT_TRUE(s.calls.empty());
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.runs, 0);
}

}  // namespace
}  // namespace iccache::index
