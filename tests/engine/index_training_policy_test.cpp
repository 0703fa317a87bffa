// The index policy in the engine (engine/index/training_policy.h): when training is due,
// which nprobe wins, and the 'nprobe=N' command's number.
#include <gtest/gtest.h>

#include "index/training_policy.h"

namespace iccache::index {
namespace {

TEST(TrainingPolicy, FirstAtIvfMinThenAtFourTimesTheTrainedCount) {
  EXPECT_FALSE(training_due(19999, 0, 20000));
  EXPECT_TRUE(training_due(20000, 0, 20000));
  EXPECT_TRUE(training_due(1, 0, 1));
  EXPECT_FALSE(training_due(79999, 20000, 20000));
  EXPECT_TRUE(training_due(80000, 20000, 20000));
  EXPECT_FALSE(training_due(30, 10, 100));  // once trained, ivf_min no longer matters
  EXPECT_TRUE(training_due(40, 10, 100));
}

TEST(TrainingPolicy, DueFigures) {
  DueFigures f = due_figures(25, 0, 20, 1700000000);
  EXPECT_TRUE(f.due);
  EXPECT_EQ(f.new_examples, 25);
  EXPECT_EQ(f.due_since, 1700000000);
  f = due_figures(25, 0, 20, 0);  // due, but no write has found it yet
  EXPECT_TRUE(f.due);
  EXPECT_EQ(f.due_since, std::nullopt);
  f = due_figures(30, 10, 20, 1700000000);  // stored, but deletes took it back under 4x
  EXPECT_FALSE(f.due);
  EXPECT_EQ(f.new_examples, 20);
  EXPECT_EQ(f.due_since, std::nullopt);
  f = due_figures(5, 10, 20, 0);  // deletes since the training
  EXPECT_EQ(f.new_examples, 0);
}

TEST(TrainingPolicy, NprobePrecedence) {
  EXPECT_EQ(effective_nprobe(7, 5, 3), 7);  // the command wins
  EXPECT_EQ(effective_nprobe(0, 5, 3), 5);  // then the CREATE option
  EXPECT_EQ(effective_nprobe(0, 0, 3), 3);  // then the tuned value
  EXPECT_EQ(effective_nprobe(0, 0, 0), 1);  // untrained and untuned: one list
}

TEST(TrainingPolicy, NprobeCommandNumber) {
  EXPECT_EQ(parse_nprobe_command("1"), 1);
  EXPECT_EQ(parse_nprobe_command("1048576"), 1 << 20);
  EXPECT_EQ(parse_nprobe_command("0000001"), 1);
  for (const char* bad : {"", "0", "1048577", "9999999", "00000001", "-1", "+1", " 1", "1 ", "1e3", "12x",
                          "99999999999999999999999"})
    EXPECT_EQ(parse_nprobe_command(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace iccache::index
