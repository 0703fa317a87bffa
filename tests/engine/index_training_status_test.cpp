// The training state's rules (engine/index/training_status.h): when a job may be queued,
// what a failure, a lock taken elsewhere and a finished training leave, the on-use check.
#include <gtest/gtest.h>

#include "index/training_status.h"

namespace iccache::index {
namespace {

TEST(TrainingStatus, QueuesOnceUntilTheJobEnds) {
  TrainingStatus st;
  EXPECT_TRUE(st.try_queue(TrainingRequest::kDue, 100));
  EXPECT_EQ(st.state, "queued");
  EXPECT_TRUE(st.busy());
  EXPECT_FALSE(st.try_queue(TrainingRequest::kDue, 100));
  EXPECT_FALSE(st.try_queue(TrainingRequest::kCommand, 100));  // not even a command
  st.set("running", "kmeans", 0.5);
  EXPECT_FALSE(st.try_queue(TrainingRequest::kOnUse, 100));
  st.background_done(true, 2.5);
  EXPECT_FALSE(st.busy());
  EXPECT_TRUE(st.try_queue(TrainingRequest::kOnUse, 100));
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.progress, 0);
}

TEST(TrainingStatus, AFailurePausesAutomaticRequestsButNotCommands) {
  TrainingStatus st;
  st.set("running", "writing", 0.9);
  st.failed("disk I/O error", 100);
  EXPECT_EQ(st.state, "failed");
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.error, "disk I/O error");
  EXPECT_EQ(st.retry_at, 100 + kRetryPauseSeconds);
  EXPECT_FALSE(st.busy());
  EXPECT_FALSE(st.try_queue(TrainingRequest::kDue, 129.5));
  EXPECT_FALSE(st.try_queue(TrainingRequest::kOnUse, 129.5));
  EXPECT_TRUE(st.try_queue(TrainingRequest::kCommand, 129.5));
  st.set("idle", "", 0);
  EXPECT_TRUE(st.try_queue(TrainingRequest::kDue, 130));
}

TEST(TrainingStatus, ALockTakenElsewherePausesToo) {
  TrainingStatus st;
  st.set("running", "reading", 0);
  st.taken_elsewhere(50);
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.retry_at, 80);
  EXPECT_FALSE(st.try_queue(TrainingRequest::kDue, 79));
  EXPECT_TRUE(st.try_queue(TrainingRequest::kDue, 80));
}

TEST(TrainingStatus, BackgroundRunsCountOnlyWhenSwitchedIn) {
  TrainingStatus st;
  st.failed("busy", 0);
  st.background_done(false, 9);  // the epoch moved: nothing switched in
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.error, "");
  EXPECT_EQ(st.runs, 0);
  EXPECT_EQ(st.background_runs, 0);
  EXPECT_EQ(st.last_seconds, 0);
  st.background_done(true, 1.25);
  EXPECT_EQ(st.runs, 1);
  EXPECT_EQ(st.background_runs, 1);
  EXPECT_EQ(st.last_seconds, 1.25);
}

TEST(TrainingStatus, ATrainingNowKeepsTheLastBackgroundError) {
  TrainingStatus st;
  st.failed("disk full", 0);
  st.set("running", "writing", 0.95);
  st.done_now(0.5);
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.phase, "");
  EXPECT_EQ(st.progress, 0);
  EXPECT_EQ(st.error, "disk full");
  EXPECT_EQ(st.runs, 1);
  EXPECT_EQ(st.background_runs, 0);
  EXPECT_EQ(st.last_seconds, 0.5);
}

TEST(TrainingStatus, ComputingMapsTheShareBetweenReadingAndWriting) {
  TrainingStatus st;
  TrainingProgressFn progress = st.computing();
  progress("kmeans", 0);
  EXPECT_EQ(st.state, "running");
  EXPECT_EQ(st.phase, "kmeans");
  EXPECT_DOUBLE_EQ(st.progress, 0.05);
  progress("tuning", 1);
  EXPECT_EQ(st.phase, "tuning");
  EXPECT_DOUBLE_EQ(st.progress, 0.9);
}

TEST(TrainingStatus, ForgetInChildMarksIdleUnlessLocked) {
  TrainingStatus st;
  st.set("running", "kmeans", 0.3);
  st.mu.lock();
  st.forget_in_child();  // held by a thread the child does not have: left as it was
  st.mu.unlock();
  EXPECT_EQ(st.state, "running");
  st.forget_in_child();
  EXPECT_EQ(st.state, "idle");
  EXPECT_EQ(st.phase, "");
}

TEST(TrainingStatus, OnUseChecksAtMostOnceASecond) {
  TrainingStatus st;
  EXPECT_FALSE(st.searched());
  EXPECT_TRUE(st.note_search(10));
  EXPECT_TRUE(st.searched());
  EXPECT_FALSE(st.note_search(10.5));
  EXPECT_FALSE(st.note_search(10.999));
  EXPECT_TRUE(st.note_search(11));
  EXPECT_FALSE(st.note_search(11.5));
}

}  // namespace
}  // namespace iccache::index
