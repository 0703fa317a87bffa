// Where a write places a new row (index/assigner.h): list 0 and no code before training,
// the nearest centroid's list after, the SQ8 code of a quantizing table, and which epoch's
// training it holds.
#include <gtest/gtest.h>

#include <vector>

#include "index/assigner.h"

namespace iccache::index {
namespace {

const std::vector<float> kCentroids = {1, 0, 0, 1};   // list 0 along x, list 1 along y
const std::vector<float> kRanges = {-1, -1, 1, 1};    // SQ8: min then max per dimension
const float kNearY[2] = {0.6f, 0.8f};

TEST(Assigner, BeforeTrainingEveryRowGoesToListZeroWithoutCode) {
  Assigner a(2, true);
  EXPECT_FALSE(a.holds(0));
  a.load(0, {}, {});
  EXPECT_TRUE(a.holds(0));
  EXPECT_FALSE(a.holds(1));
  EXPECT_FALSE(a.trained());
  const Assigner::Placement p = a.place(kNearY);
  EXPECT_EQ(p.list, 0);
  EXPECT_TRUE(p.code.empty());
}

TEST(Assigner, AfterTrainingTheNearestList) {
  Assigner a(2, false);
  a.load(3, kCentroids, {});
  EXPECT_TRUE(a.holds(3));
  EXPECT_TRUE(a.trained());
  const Assigner::Placement p = a.place(kNearY);
  EXPECT_EQ(p.list, 1);
  EXPECT_TRUE(p.code.empty());  // flat lists keep the float vector, no code
}

TEST(Assigner, AQuantizingTableGetsTheSq8CodeOfItsTraining) {
  Assigner a(2, true);
  a.load(3, kCentroids, kRanges);
  const Assigner::Placement p = a.place(kNearY);
  EXPECT_EQ(p.list, 1);
  IvfIndex same(2, true);
  same.set_training(kCentroids, kRanges);
  std::vector<uint8_t> expect(2);
  same.encode(kNearY, expect.data());
  EXPECT_EQ(p.code, expect);
  a.load(4, {}, {});  // an untrained epoch again (a repair): no code
  EXPECT_TRUE(a.place(kNearY).code.empty());
}

}  // namespace
}  // namespace iccache::index
