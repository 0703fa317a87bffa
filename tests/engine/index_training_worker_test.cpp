// The background training worker (engine/index/training_worker.h): jobs run in order on
// its thread, a waiter returns once its table's jobs ended, a throwing job marks its
// status failed.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "index/training_worker.h"

namespace iccache::index {
namespace {

TEST(TrainingWorker, RunsQueuedJobsInOrderOnItsOwnThread) {
  auto st = std::make_shared<TrainingStatus>();
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 3; ++i)
    queue_training_job({st, [&, i] {
                          std::lock_guard lock(mu);
                          order.push_back(i);
                          threads.push_back(std::this_thread::get_id());
                        }});
  ASSERT_TRUE(wait_training_jobs(st.get(), 600, [] { return true; }));
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(threads.size(), 3u);
  EXPECT_NE(threads[0], std::this_thread::get_id());
  EXPECT_EQ(threads[1], threads[0]);
  EXPECT_EQ(threads[2], threads[0]);
}

TEST(TrainingWorker, AThrowingJobMarksItsStatusFailed) {
  auto st = std::make_shared<TrainingStatus>();
  ASSERT_TRUE(st->try_queue(TrainingRequest::kDue, 0));
  queue_training_job({st, [] { throw std::runtime_error("the disk is full"); }});
  ASSERT_TRUE(wait_training_jobs(st.get(), 600, [] { return true; }));
  EXPECT_EQ(st->state, "failed");
  EXPECT_EQ(st->error, "the disk is full");
  EXPECT_GT(st->retry_at, 0);
}

TEST(TrainingWorker, WaitsForDoneToHold) {
  auto st = std::make_shared<TrainingStatus>();
  EXPECT_FALSE(wait_training_jobs(st.get(), 0, [] { return false; }));  // times out at once
  std::thread other([&] {
    st->done_now(0.1);
    notify_training_waiters();
  });
  EXPECT_TRUE(wait_training_jobs(st.get(), 600, [&] {
    std::lock_guard lock(st->mu);
    return st->runs == 1;
  }));
  other.join();
}

}  // namespace
}  // namespace iccache::index
