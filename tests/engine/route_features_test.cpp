// Features: fixed layout and exact values for the example and length features, and a
// projection that depends on the request only (same request, same features).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "route/features.h"

namespace iccache::route {
namespace {

TEST(Features, LayoutAndExactValues) {
  FeatureBuilder fb(4);
  std::vector<float> q = {1, 0, 0, 0};
  std::vector<ExampleSignal> ex = {{0.9, 0.8}, {0.5, 0.4}, {-2.0, 3.0}};  // clamped
  Features f = fb.build(q.data(), ex, 100);
  EXPECT_EQ(f[0], 1.0);
  EXPECT_DOUBLE_EQ(f[kMaxSimFeature], 0.9);
  EXPECT_DOUBLE_EQ(f[kMaxSimFeature + 1], (0.9 + 0.5 - 1.0) / 3);
  EXPECT_DOUBLE_EQ(f[kCountFeature], 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(f[kCountFeature + 1], 1.0);
  EXPECT_DOUBLE_EQ(f[kCountFeature + 2], (0.8 + 0.4 + 1.0) / 3);
  EXPECT_DOUBLE_EQ(f[kFeatureDim - 1], std::log1p(100.0) / std::log1p(4096.0));
  // No examples: zeros, count 0 (the cache arm's availability test).
  Features g = fb.build(q.data(), {}, 0);
  for (int i = kMaxSimFeature; i < kFeatureDim; ++i) EXPECT_EQ(g[i], 0.0) << i;
}

TEST(Features, ProjectionIsFixedPerDimAndLinear) {
  FeatureBuilder a(64), b(64);
  std::vector<float> q(64, 0.125f), neg(64, -0.125f);
  Features fa = a.build(q.data(), {}, 0), fb = b.build(q.data(), {}, 0),
           fn = a.build(neg.data(), {}, 0);
  double norm = 0;
  for (int i = 1; i <= kProjection; ++i) {
    EXPECT_EQ(fa[i], fb[i]);
    EXPECT_DOUBLE_EQ(fn[i], -fa[i]);
    norm += fa[i] * fa[i];
  }
  EXPECT_GT(norm, 0.0);
  EXPECT_LT(norm, 8.0 * kProjection);  // O(1) per feature for a unit request
}

TEST(Features, StoredFormRoundTrip) {
  Features x{};
  for (int i = 0; i < kFeatureDim; ++i) x[i] = 0.25 * i - 1;
  const std::string_view bytes = features_bytes(x);
  EXPECT_EQ(bytes.size(), sizeof(double) * kFeatureDim);
  EXPECT_EQ(parse_features(bytes), x);
  EXPECT_EQ(parse_features(bytes.substr(1)), std::nullopt);
  EXPECT_EQ(parse_features(""), std::nullopt);
}

}  // namespace
}  // namespace iccache::route
