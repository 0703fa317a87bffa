// MMR (engine/select/mmr.h): diversity 0 is relevance order; a positive diversity passes
// over a near copy of an already picked candidate; exact picks on a hand-made geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "select/mmr.h"

namespace iccache::select {
namespace {

// Three candidates on the unit circle: 0 and 1 point almost the same way (cos 0.99), 2 is
// orthogonal to 0. Relevance 0.9, 0.85, 0.6.
struct Circle {
  std::vector<std::vector<float>> v;
  Circle() {
    const double a = std::acos(0.99);
    v = {{1.f, 0.f}, {static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a))}, {0.f, 1.f}};
  }
  double operator()(size_t i, size_t j) const { return unit_cosine(v[i].data(), v[j].data(), 2); }
};

TEST(SelectMmr, DiversityZeroKeepsRelevanceOrder) {
  const Circle c;
  const std::vector<double> rel = {0.9, 0.85, 0.6};
  EXPECT_EQ(mmr_order(rel, c, 3, 0.0), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(mmr_order(rel, c, 2, 0.0), (std::vector<size_t>{0, 1}));
}

TEST(SelectMmr, DiversityPassesOverANearCopy) {
  const Circle c;
  const std::vector<double> rel = {0.9, 0.85, 0.6};
  // diversity 0.3: second pick, candidate 1 scores 0.7*0.85 - 0.3*0.99 = 0.298, candidate 2
  // scores 0.7*0.6 - 0.3*0 = 0.42: the orthogonal one comes second.
  EXPECT_EQ(mmr_order(rel, c, 2, 0.3), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(mmr_order(rel, c, 3, 0.3), (std::vector<size_t>{0, 2, 1}));
  // diversity 0.1: 0.9*0.85 - 0.1*0.99 = 0.666 beats 0.9*0.6 = 0.54: relevance still wins.
  EXPECT_EQ(mmr_order(rel, c, 2, 0.1), (std::vector<size_t>{0, 1}));
}

TEST(SelectMmr, TiesGoToTheLowerIndexAndKIsCapped) {
  const Circle c;
  const std::vector<double> rel = {0.5, 0.5, 0.5};
  EXPECT_EQ(mmr_order(rel, c, 10, 0.0), (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(mmr_order(std::vector<double>{}, c, 5, 0.5).empty());
  // diversity 1: relevance ignored after the first pick; 2 is least similar to 0.
  EXPECT_EQ(mmr_order(rel, c, 2, 1.0), (std::vector<size_t>{0, 2}));
}

TEST(SelectMmr, UnitCosine) {
  const float a[3] = {0.6f, 0.8f, 0.f}, b[3] = {0.f, 1.f, 0.f};
  EXPECT_NEAR(unit_cosine(a, b, 3), 0.8, 1e-7);
  EXPECT_NEAR(unit_cosine(a, a, 3), 1.0, 1e-7);
}

TEST(SelectMmr, CachedCosineReadsEachVectorOnce) {
  std::vector<int64_t> reads;
  auto cosine = cached_cosine(
      [&](int64_t id) {
        reads.push_back(id);
        return id == 1 ? std::vector<float>{1, 0} : std::vector<float>{0.6f, 0.8f};
      },
      2);
  EXPECT_NEAR(cosine(1, 2), 0.6, 1e-7);
  EXPECT_NEAR(cosine(2, 1), 0.6, 1e-7);
  EXPECT_DOUBLE_EQ(cosine(1, 1), 1.0);
  EXPECT_EQ(reads, (std::vector<int64_t>{1, 2}));
}

}  // namespace
}  // namespace iccache::select
