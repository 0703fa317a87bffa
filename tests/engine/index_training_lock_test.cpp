// The training lock row's takeover rule (engine/index/training_lock.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include "index/training_lock.h"

namespace iccache::index {
namespace {

TEST(TrainingLock, ALiveHolderWithinTheLease) {
  EXPECT_EQ(live_lock_holder({4242, 1000}, 1000, true), 4242);
  EXPECT_EQ(live_lock_holder({4242, 1000}, 1000 + kLockLeaseSeconds, true), 4242);
}

TEST(TrainingLock, NoRowNoHolder) {
  EXPECT_EQ(live_lock_holder({0, 0}, 1000, true), 0);
  EXPECT_EQ(live_lock_holder(LockRow{}, 1000), 0);
}

TEST(TrainingLock, TakenOverWhenTheProcessIsGone) {
  EXPECT_EQ(live_lock_holder({4242, 1000}, 1001, false), 0);
}

TEST(TrainingLock, TakenOverAfterAnHourEvenWhenAlive) {
  EXPECT_EQ(kLockLeaseSeconds, 3600);
  EXPECT_EQ(live_lock_holder({4242, 1000}, 1000 + 3600.5, true), 0);
}

TEST(TrainingLock, AskingTheSystem) {
  EXPECT_TRUE(process_alive(getpid()));
  EXPECT_FALSE(process_alive(0));
  EXPECT_FALSE(process_alive(-5));
  const int64_t self = getpid();
  EXPECT_EQ(live_lock_holder({self, 1000}, 1010), self);
  EXPECT_EQ(live_lock_holder({self, 1000}, 1000 + 3601), 0);
}

}  // namespace
}  // namespace iccache::index
