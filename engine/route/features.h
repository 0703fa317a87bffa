// Context features of one routing decision: what the router knows about a request before
// any model has seen it. A fixed random projection of the request embedding (the topic),
// the selected examples' similarity and utility (how much help the small model gets), and
// the request length (a cheap difficulty proxy). All are O(1) in magnitude so one ridge
// prior fits every weight.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace iccache::route {

constexpr int kProjection = 8;  // request-embedding projection width
// Layout: [bias, projection x8, max sim, mean sim, count, max utility, mean utility, length]
constexpr int kFeatureDim = 1 + kProjection + 6;
constexpr int kCountFeature = 1 + kProjection + 2;  // > 0 exactly when examples were given
constexpr int kMaxSimFeature = 1 + kProjection;

using Features = std::array<double, kFeatureDim>;

// One selected example as the router sees it. `utility` is where selection's learned
// utility (issue 4) plugs in; until that model exists callers pass the example's stored
// quality, the best available estimate of how much the example helps.
struct ExampleSignal {
  double similarity = 0;  // cosine between request and example embeddings, in [-1, 1]
  double utility = 0;     // in [0, 1]
};

// Similarity of the request to one example: the inner product of two unit vectors of dim
// floats, accumulated in double in index order (so the same pair gives the same value in
// the router's features and in selection's sample).
double example_similarity(const float* request, const float* example, int dim);

// The stored form of a context (T_decisions.features): kFeatureDim float64 in host order.
// parse_features: nullopt when the blob is not that size.
std::string_view features_bytes(const Features& x);
std::optional<Features> parse_features(std::string_view blob);

class FeatureBuilder {
 public:
  // The projection is a fixed function of dim (not of the table's seed), so decisions
  // logged under one seed stay meaningful if the seed option changes.
  explicit FeatureBuilder(int dim);

  int dim() const { return dim_; }
  // request: dim floats (unit length); request_bytes: length of the request text, 0 when
  // the caller passed a vector only.
  Features build(const float* request, std::span<const ExampleSignal> examples,
                 int64_t request_bytes) const;

 private:
  int dim_;
  std::vector<float> projection_;  // kProjection x dim, row-major, N(0,1) entries
};

}  // namespace iccache::route
