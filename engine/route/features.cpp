#include "route/features.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "route/rng.h"

namespace iccache::route {

namespace {
constexpr uint64_t kProjectionSeed = 0x1CCAC4E5EEDull;
// Enough examples to saturate the count feature: more rarely changes the small model's
// answer (PAPER.md: too many dilute the gain).
constexpr double kCountScale = 8.0;
// log1p(bytes) / log1p(4096): about 1 for a long prompt, 0.5 for 64 bytes.
const double kLengthScale = 1.0 / std::log1p(4096.0);
}  // namespace

double example_similarity(const float* request, const float* example, int dim) {
  double sim = 0;
  for (int j = 0; j < dim; ++j) sim += static_cast<double>(example[j]) * request[j];
  return sim;
}

std::string_view features_bytes(const Features& x) {
  return {reinterpret_cast<const char*>(x.data()), sizeof(double) * x.size()};
}

std::optional<Features> parse_features(std::string_view blob) {
  Features x;
  if (blob.size() != sizeof(double) * x.size()) return std::nullopt;
  std::memcpy(x.data(), blob.data(), blob.size());
  return x;
}

FeatureBuilder::FeatureBuilder(int dim) : dim_(dim), projection_(static_cast<size_t>(kProjection) * dim) {
  DecisionRng rng(kProjectionSeed, static_cast<uint64_t>(dim));
  for (float& w : projection_) w = static_cast<float>(rng.normal());
}

Features FeatureBuilder::build(const float* request, std::span<const ExampleSignal> examples,
                               int64_t request_bytes) const {
  Features f{};
  int i = 0;
  f[i++] = 1.0;
  // A unit request projected on N(0,1) rows gives N(0,1)-sized values; halve them so the
  // topic does not dominate the example features under the shared ridge prior.
  for (int p = 0; p < kProjection; ++p) {
    const float* row = projection_.data() + static_cast<size_t>(p) * dim_;
    double s = 0;
    for (int j = 0; j < dim_; ++j) s += static_cast<double>(row[j]) * request[j];
    f[i++] = 0.5 * s;
  }
  double max_sim = 0, sum_sim = 0, max_util = 0, sum_util = 0;
  for (size_t e = 0; e < examples.size(); ++e) {
    const double s = std::clamp(examples[e].similarity, -1.0, 1.0);
    const double u = std::clamp(examples[e].utility, 0.0, 1.0);
    max_sim = e == 0 ? s : std::max(max_sim, s);
    max_util = e == 0 ? u : std::max(max_util, u);
    sum_sim += s;
    sum_util += u;
  }
  const double n = static_cast<double>(examples.size());
  f[i++] = max_sim;
  f[i++] = n > 0 ? sum_sim / n : 0.0;
  f[i++] = std::min(n, kCountScale) / kCountScale;
  f[i++] = max_util;
  f[i++] = n > 0 ? sum_util / n : 0.0;
  f[i++] = std::log1p(static_cast<double>(std::max<int64_t>(request_bytes, 0))) * kLengthScale;
  return f;
}

}  // namespace iccache::route
