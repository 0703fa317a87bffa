// IvfIndex: exact when every list is probed, recall on clustered data at small nprobe,
// SQ8 re-ranking, tenant filters that probe further, and list bookkeeping.
#include "index/ivf_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "common/error.h"
#include "index/exact_index.h"
#include "index/kmeans.h"
#include "index/nprobe_tuner.h"

namespace iccache::index {
namespace {

// n unit vectors around `clusters` random centres, row-major. The centres are the same for
// every call (fixed seed), so base and query sets share a distribution; `seed` draws points.
std::vector<float> clustered(size_t n, int dim, int clusters, float spread, uint32_t seed) {
  std::mt19937 crng(11), rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> centres(clusters * dim), out(n * dim);
  for (auto& x : centres) x = g(crng);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int d = 0; d < dim; ++d) {
      float x = centres[(i % clusters) * dim + d] + spread * g(rng);
      out[i * dim + d] = x;
      norm += double(x) * x;
    }
    for (int d = 0; d < dim; ++d) out[i * dim + d] = static_cast<float>(out[i * dim + d] / std::sqrt(norm));
  }
  return out;
}

struct Fixture {
  Fixture(size_t n, int dim, bool sq8, int k_lists)
      : n(n), dim(dim), data(clustered(n, dim, 40, 0.35f, 11)), ivf(dim, sq8), exact(dim) {
    auto centroids = train_centroids(data.data(), n, dim, k_lists);
    auto lists = assign_to_centroids(centroids.data(), k_lists, data.data(), n, dim);
    std::vector<float> ranges = sq8 ? train_sq8(data.data(), n, dim) : std::vector<float>();
    ivf.set_training(centroids, ranges);
    std::vector<uint8_t> code(dim);
    for (size_t i = 0; i < n; ++i) {
      const float* v = &data[i * dim];
      if (sq8) ivf.encode(v, code.data());
      std::string tenant = i % 10 == 0 ? "rare" : "common";
      ivf.add(static_cast<int64_t>(i), lists[i], tenant, v, code.data());
      exact.upsert(static_cast<int64_t>(i), v, tenant);
    }
  }
  IvfIndex::FetchFn fetch() const {
    return [this](const std::vector<int64_t>& ids, float* out) {
      for (size_t i = 0; i < ids.size(); ++i)
        std::copy(&data[ids[i] * dim], &data[ids[i] * dim] + dim, out + i * dim);
    };
  }
  size_t n;
  int dim;
  std::vector<float> data;
  IvfIndex ivf;
  ExactIndex exact;
};

double recall_at_10(const Fixture& f, int nprobe, const std::string* tenant = nullptr) {
  std::vector<float> queries = clustered(200, f.dim, 40, 0.35f, 99);
  size_t found = 0, total = 0;
  for (int qi = 0; qi < 200; ++qi) {
    const float* q = &queries[qi * f.dim];
    std::set<int64_t> truth;
    for (auto& h : f.exact.search(q, 10, tenant)) truth.insert(h.id);
    for (auto& h : f.ivf.search(q, 10, tenant, nprobe, f.fetch())) found += truth.count(h.id);
    total += truth.size();
  }
  return double(found) / total;
}

TEST(IvfIndex, ProbingEveryListIsExact) {
  Fixture f(4000, 32, false, 63);
  std::vector<float> queries = clustered(50, 32, 40, 0.35f, 5);
  for (int qi = 0; qi < 50; ++qi) {
    auto a = f.ivf.search(&queries[qi * 32], 10, nullptr, 63);
    auto b = f.exact.search(&queries[qi * 32], 10);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_NEAR(a[i].score, b[i].score, 1e-6);
    }
  }
}

TEST(IvfIndex, RecallOnClusteredData) {
  Fixture f(4000, 32, false, 63);
  EXPECT_GE(recall_at_10(f, 8), 0.95);
  EXPECT_LT(recall_at_10(f, 1), recall_at_10(f, 8));  // fewer lists, less recall
}

TEST(IvfIndex, Sq8ReRankKeepsRecall) {
  Fixture f(4000, 32, true, 63);
  EXPECT_EQ(f.ivf.code_bytes(), 32u);
  EXPECT_GE(recall_at_10(f, 8), 0.95);
  EXPECT_THROW(f.ivf.search(f.data.data(), 10, nullptr, 8), Error);  // needs the fetcher
}

TEST(IvfIndex, Sq8CodesDecodeWithinOneStep) {
  Fixture f(500, 16, true, 22);
  const auto& r = f.ivf.sq8_ranges();
  std::vector<uint8_t> code(16);
  for (size_t i = 0; i < 50; ++i) {
    f.ivf.encode(&f.data[i * 16], code.data());
    for (int d = 0; d < 16; ++d) {
      float decoded = r[d] + (code[d] + 0.5f) / 255.0f * r[16 + d];
      EXPECT_NEAR(decoded, f.data[i * 16 + d], r[16 + d] / 255.0f + 1e-6);
    }
  }
}

TEST(IvfIndex, TenantFilterProbesFurtherForKRows) {
  Fixture f(4000, 32, false, 63);
  std::string rare = "rare";
  std::vector<float> queries = clustered(20, 32, 40, 0.35f, 3);
  for (int qi = 0; qi < 20; ++qi) {
    auto hits = f.ivf.search(&queries[qi * 32], 50, &rare, 1);
    EXPECT_EQ(hits.size(), 50u);  // one list holds ~6 rare rows; the search goes on
    for (auto& h : hits) EXPECT_EQ(h.id % 10, 0);
  }
  EXPECT_GE(recall_at_10(f, 8, &rare), 0.95);
}

TEST(NprobeTuner, ReachesTheTargetWithFewLists) {
  Fixture f(4000, 32, false, 63);
  std::vector<int64_t> ids(f.n);
  for (size_t i = 0; i < f.n; ++i) ids[i] = static_cast<int64_t>(i);
  NprobeTuning t = tune_nprobe(f.ivf, f.data.data(), ids.data(), f.n);
  EXPECT_GE(t.recall, 0.95);
  EXPECT_LT(t.nprobe, 63);
  EXPECT_GE(recall_at_10(f, t.nprobe), 0.93);  // held-out queries agree
  // A stricter target needs at least as many lists.
  EXPECT_GE(tune_nprobe(f.ivf, f.data.data(), ids.data(), f.n, 10, 0.99).nprobe, t.nprobe);
  EXPECT_EQ(tune_nprobe(f.ivf, f.data.data(), ids.data(), f.n, 10, 1.01).nprobe, 63);  // unreachable
}

TEST(IvfIndex, AddRemoveKeepListsDense) {
  IvfIndex ivf(2, false);
  float a[2] = {1, 0}, b[2] = {0, 1};
  ivf.add(1, 0, "", a, nullptr);
  ivf.add(2, 0, "", b, nullptr);
  ivf.add(3, 0, "", a, nullptr);
  EXPECT_TRUE(ivf.remove(1));
  EXPECT_FALSE(ivf.remove(1));
  EXPECT_EQ(ivf.size(), 2u);
  EXPECT_EQ(ivf.list_size(0), 2u);
  auto hits = ivf.search(a, 2, nullptr, 1);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 3);
  ivf.set_training({1, 0, 0, 1}, {});
  EXPECT_EQ(ivf.nlist(), 2);
  EXPECT_EQ(ivf.size(), 0u);  // training empties the lists for re-adding
  EXPECT_EQ(ivf.assign(b), 1);
  EXPECT_THROW(ivf.add(4, 2, "", a, nullptr), Error);
}

TEST(Kmeans, ErrorsAreIccacheErrors) {
  std::vector<float> v(8, 0.5f);
  EXPECT_THROW(train_centroids(v.data(), 2, 4, 3), Error);  // fewer vectors than centroids
  EXPECT_THROW(train_sq8(v.data(), 0, 4), Error);
}

}  // namespace
}  // namespace iccache::index
