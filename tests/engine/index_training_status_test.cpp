// The training state's rules (engine/index/training_status.h): when a job may be queued,
// what a failure, a lock taken elsewhere and a finished training leave, the on-use check.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

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

TEST(TrainingStatus, WhichWritesAskForATraining) {
  TrainingStatus st;
  EXPECT_TRUE(st.write_asks(TrainingPolicy::kBackground));
  EXPECT_FALSE(st.write_asks(TrainingPolicy::kManual));
  EXPECT_FALSE(st.write_asks(TrainingPolicy::kOnUse));  // no search of the IVF yet
  st.note_search(0);
  EXPECT_TRUE(st.write_asks(TrainingPolicy::kOnUse));
  EXPECT_FALSE(st.write_asks(TrainingPolicy::kManual));
}

// "key=value" per row, NULL for none.
std::vector<std::string> rendered(const StatRows& rows) {
  std::vector<std::string> out;
  for (const StatRow& r : rows) {
    std::string v = "NULL";
    if (const auto* i = std::get_if<int64_t>(&r.value)) v = std::to_string(*i);
    if (const auto* d = std::get_if<double>(&r.value)) v = std::to_string(*d);
    if (const auto* t = std::get_if<std::string>(&r.value)) v = "'" + *t + "'";
    out.push_back(r.key + "=" + v);
  }
  return out;
}

TEST(TrainingStatus, StatsRows) {
  TrainingStatus st;
  st.failed("disk full", 0);
  st.done_now(1.5);
  st.set("running", "kmeans", 0.25);
  st.note_search(0);
  StatRows rows;
  training_stats(st, {4242, 90, 20, 10, 1700000000, TrainingPolicy::kOnUse}, rows);
  EXPECT_EQ(rendered(rows),
            (std::vector<std::string>{"training_state='running'", "training_phase='kmeans'", "training_progress=0.250000",
                                      "training_running=1", "training_runs=1", "training_background_runs=0",
                                      "training_last_s=1.500000", "training_error='disk full'",
                                      "training_lock_pid=4242", "training_policy='on-use'", "training_ivf_searched=1",
                                      "training_trained_n=20", "training_new_examples=70", "training_due=1",
                                      "training_due_since=1700000000"}));
  TrainingStatus idle;
  rows.clear();
  training_stats(idle, {0, 5, 0, 10, 0, TrainingPolicy::kManual}, rows);
  EXPECT_EQ(rendered(rows),
            (std::vector<std::string>{"training_state='idle'", "training_phase=NULL", "training_progress=NULL",
                                      "training_running=0", "training_runs=0", "training_background_runs=0",
                                      "training_last_s=0.000000", "training_error=NULL", "training_lock_pid=0",
                                      "training_policy='manual'", "training_ivf_searched=0", "training_trained_n=0",
                                      "training_new_examples=5", "training_due=0", "training_due_since=NULL"}));
}

TEST(TrainingStatus, WhatARequestDoes) {
  // No background training for the table: now, but never inside a search.
  EXPECT_EQ(request_action(TrainingRequest::kDue, nullptr, 0), RequestAction::kTrainNow);
  EXPECT_EQ(request_action(TrainingRequest::kCommand, nullptr, 0), RequestAction::kTrainNow);
  EXPECT_EQ(request_action(TrainingRequest::kOnUse, nullptr, 0), RequestAction::kNothing);
  // In the background: queued once, then nothing while queued.
  TrainingStatus st;
  EXPECT_EQ(request_action(TrainingRequest::kOnUse, &st, 0), RequestAction::kQueue);
  EXPECT_EQ(st.state, "queued");
  EXPECT_EQ(request_action(TrainingRequest::kCommand, &st, 0), RequestAction::kNothing);
}

TEST(TrainingStatus, OwnConnectionProbedUntilItTells) {
  TrainingStatus st;
  int probes = 0;
  auto answering = [&](int answer) {
    return [&probes, answer] {
      ++probes;
      return answer;
    };
  };
  EXPECT_TRUE(st.own_connection_can_read(answering(-1)));  // cannot tell yet: the worker finds out
  EXPECT_FALSE(st.own_connection_can_read(answering(0)));  // asked again: an encrypted file
  EXPECT_EQ(st.own_connection_reads, 0);
  EXPECT_FALSE(st.own_connection_can_read(answering(1)));  // remembered, not asked
  EXPECT_EQ(probes, 2);
}

TEST(TrainingStatus, PlainDatabaseHeader) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::FILE* f = std::fopen((dir + name).c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return dir + name;
  };
  EXPECT_EQ(plain_database_header(write("plain.db", std::string("SQLite format 3\0", 16) + "rest")), 1);
  EXPECT_EQ(plain_database_header(write("salted.db", std::string(16, '\x5a'))), 0);
  EXPECT_EQ(plain_database_header(write("short.db", "SQLite")), -1);
  EXPECT_EQ(plain_database_header(dir + "missing.db"), -1);
}

}  // namespace
}  // namespace iccache::index
