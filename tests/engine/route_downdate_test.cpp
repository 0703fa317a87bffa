// LinearArm::downdate takes back one reward exactly (forget, docs/privacy.md).
#include <gtest/gtest.h>

#include <cmath>

#include "route/linear_arm.h"

namespace iccache::route {
namespace {

Features features(double seed) {
  Features x{};
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(seed * (i + 1)) * 0.5;
  return x;
}

TEST(LinearArmDowndate, UndoesOneUpdate) {
  LinearArm with, without;
  for (int i = 0; i < 20; ++i) {
    with.update(features(i + 0.5), (i % 3) / 2.0);
    if (i != 7) without.update(features(i + 0.5), (i % 3) / 2.0);
  }
  ASSERT_TRUE(with.downdate(features(7.5), (7 % 3) / 2.0));
  EXPECT_EQ(with.n(), 19);
  EXPECT_DOUBLE_EQ(with.reward_sum(), without.reward_sum());
  EXPECT_LT((with.a_inv() - without.a_inv()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((with.b() - without.b()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((with.theta() - without.theta()).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(LinearArmDowndate, RefusesWhenNothingToTakeBack) {
  LinearArm fresh;
  const LinearArm before = fresh;
  EXPECT_FALSE(fresh.downdate(features(1), 1.0));  // n = 0
  EXPECT_EQ(fresh.n(), 0);
  EXPECT_EQ(fresh.a_inv(), before.a_inv());
}

}  // namespace
}  // namespace iccache::route
