// ExactIndex: top-k equals a brute-force reference (scores, order, ties by id), tenant
// filtering returns k rows of the tenant, and upsert/remove keep rows consistent.
#include "index/exact_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace iccache::index {
namespace {

// Components are small multiples of 1/4, so every dot product is exact in float and in
// double: the reference order is unambiguous and real ties occur (testing the tie rule).
std::vector<float> grid_vector(std::mt19937& rng, int dim) {
  std::uniform_int_distribution<int> u(-3, 3);
  std::vector<float> v(dim);
  for (auto& x : v) x = u(rng) / 4.0f;
  return v;
}

// Reference: score every vector in double precision, sort by (score desc, id asc).
std::vector<int64_t> brute_force(const std::vector<std::vector<float>>& vs,
                                 const std::vector<int64_t>& ids, const std::vector<float>& q,
                                 int k, const std::vector<int>* tenants, int tenant) {
  std::vector<std::pair<double, int64_t>> all;
  for (size_t i = 0; i < vs.size(); ++i) {
    if (tenants && (*tenants)[i] != tenant) continue;
    double s = 0;
    for (size_t d = 0; d < q.size(); ++d) s += static_cast<double>(vs[i][d]) * q[d];
    all.push_back({s, ids[i]});
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<int64_t> out;
  for (int i = 0; i < k && i < static_cast<int>(all.size()); ++i) out.push_back(all[i].second);
  return out;
}

std::vector<int64_t> ids_of(const std::vector<Hit>& hits) {
  std::vector<int64_t> out;
  for (auto& h : hits) out.push_back(h.id);
  return out;
}

TEST(ExactIndex, MatchesBruteForce) {
  const int dim = 48, n = 3000;
  std::mt19937 rng(7);
  ExactIndex index(dim);
  std::vector<std::vector<float>> vs;
  std::vector<int64_t> ids;
  std::vector<int> tenants;
  for (int i = 0; i < n; ++i) {
    vs.push_back(grid_vector(rng, dim));
    ids.push_back(1000 + 3 * i);
    tenants.push_back(i % 3);
    index.upsert(ids.back(), vs.back().data(), std::to_string(tenants.back()));
  }
  for (int t = 0; t < 20; ++t) {
    auto q = grid_vector(rng, dim);
    for (int k : {1, 10, 100}) {
      auto hits = index.search(q.data(), k);
      EXPECT_EQ(ids_of(hits), brute_force(vs, ids, q, k, nullptr, 0));
      for (size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].score, hits[i].score);
      std::string tenant = "2";
      EXPECT_EQ(ids_of(index.search(q.data(), k, &tenant)), brute_force(vs, ids, q, k, &tenants, 2));
    }
  }
}

TEST(ExactIndex, TiesBreakBySmallerId) {
  ExactIndex index(2);
  float v[2] = {0.6f, 0.8f};
  for (int64_t id : {40, 7, 19, 3}) index.upsert(id, v, "");
  EXPECT_EQ(ids_of(index.search(v, 3)), (std::vector<int64_t>{3, 7, 19}));
}

TEST(ExactIndex, UpsertRemoveAndTenants) {
  ExactIndex index(2);
  float a[2] = {1, 0}, b[2] = {0, 1};
  index.upsert(1, a, "x");
  index.upsert(2, b, "y");
  index.upsert(3, a, "y");
  EXPECT_EQ(index.size(), 3u);
  EXPECT_TRUE(index.remove(1));
  EXPECT_FALSE(index.remove(1));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.vector(3)[0], 1.0f);  // moved into the hole, still intact
  EXPECT_EQ(index.tenant(3), "y");
  index.upsert(3, b, "z");  // replace vector and tenant
  EXPECT_EQ(index.size(), 2u);
  std::string z = "z", nobody = "nobody";
  EXPECT_EQ(ids_of(index.search(b, 5, &z)), (std::vector<int64_t>{3}));
  EXPECT_TRUE(index.search(b, 5, &nobody).empty());
  EXPECT_EQ(index.search(a, 5).size(), 2u);
  EXPECT_THROW(index.search(a, 0), std::exception);
}

}  // namespace
}  // namespace iccache::index
