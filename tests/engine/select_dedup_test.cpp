// dedup=on's admission rules (engine/select/dedup.h): the better judged copy stays.
#include <gtest/gtest.h>

#include "select/dedup.h"

namespace iccache::select {
namespace {

TEST(SelectDedup, ACopyAtLeastAsGoodStaysOtherwiseEveryCopyIsReplaced) {
  const std::vector<StoredCopy> copies = {{4, 0.5}, {9, 0.8}};
  DedupAdmission a = dedup_admission(copies, 0.6);
  EXPECT_EQ(a.keep, 9);
  EXPECT_TRUE(a.replace.empty());
  a = dedup_admission(copies, 0.8);  // as good: the stored one stays
  EXPECT_EQ(a.keep, 9);
  a = dedup_admission(copies, 0.9);
  EXPECT_EQ(a.keep, std::nullopt);
  ASSERT_EQ(a.replace.size(), 2u);
  EXPECT_EQ(a.replace[0].id, 4);
  EXPECT_EQ(a.replace[1].id, 9);
  a = dedup_admission({}, 0.1);  // no copy: a plain insert
  EXPECT_EQ(a.keep, std::nullopt);
  EXPECT_TRUE(a.replace.empty());
}

TEST(SelectDedup, SameVectorUpToFloatRounding) {
  EXPECT_TRUE(same_vector(1.0));
  EXPECT_TRUE(same_vector(0.999995));
  EXPECT_FALSE(same_vector(0.9999));
}

TEST(SelectDedup, UnitVector) {
  const std::vector<float> v = {3, 0, 4};
  const std::optional<std::vector<float>> u = unit_vector(v);
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, (std::vector<float>{0.6f, 0, 0.8f}));
  const std::vector<float> zero = {0, 0};
  EXPECT_FALSE(unit_vector(zero));
}

}  // namespace
}  // namespace iccache::select
