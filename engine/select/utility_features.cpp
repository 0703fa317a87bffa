#include "select/utility_features.h"

#include <algorithm>
#include <cmath>

namespace iccache::select {

namespace {
const double kLengthScale = 1.0 / std::log1p(65536.0);

// In the order of the Feature enum.
constexpr const char* kNames[kFeatureCount] = {
    "bias", "similarity", "similarity_x_quality", "word_overlap", "number_overlap", "has_text",
    "quality", "source_cost", "quality_x_source_cost", "length", "length_gap", "success_rate", "age"};
}  // namespace

const char* feature_name(int f) { return f >= 0 && f < kFeatureCount ? kNames[f] : nullptr; }

FeatureVec pair_features(const PairInputs& in, const TokenSet* request, const TokenSet* example) {
  FeatureVec f{};
  const double q = std::clamp(in.quality, 0.0, 1.0);
  const double c = std::clamp(in.source_cost, 0.0, 1.0);
  f[kBias] = 1;
  f[kSimilarity] = std::clamp(in.similarity, -1.0, 1.0);
  f[kSimQuality] = f[kSimilarity] * q;
  if (request && example) {
    f[kWordOverlap] = jaccard(request->words, example->words);
    f[kNumberOverlap] = jaccard(request->numbers, example->numbers);
    f[kHasText] = 1;
    f[kLengthGap] = std::min(2.0, std::abs(std::log((example->bytes + 1.0) / (request->bytes + 1.0))) / 4);
  }
  f[kQuality] = q;
  f[kSourceCost] = c;
  f[kQualityCost] = q * c;
  f[kLength] = std::log1p(static_cast<double>(std::max<int64_t>(0, in.bytes))) * kLengthScale;
  f[kSuccess] = (static_cast<double>(std::max<int64_t>(0, in.offloads)) + 1) /
                (static_cast<double>(std::max<int64_t>(0, in.uses)) + 2);
  f[kAge] = std::min(3.0, std::log1p(std::max(0.0, in.age_seconds) / 86400.0) / 4);
  return f;
}

}  // namespace iccache::select
