// Features of one (request, example) pair for the utility model: what is known about how
// much prepending the example would help, without running any language model. All are O(1)
// in magnitude so one Gaussian prior fits every weight (utility_model.h).
#pragma once
#include <array>
#include <cstdint>

#include "select/lexical.h"

namespace iccache::select {

enum Feature : int {
  kBias = 0,
  kSimilarity,      // cosine of request and example embeddings, [-1, 1]
  kSimQuality,      // similarity x quality: the cold-start prior's only signal
  kWordOverlap,     // Jaccard of word sets (0 when the request text is unknown)
  kNumberOverlap,   // Jaccard of number sets (idem)
  kHasText,         // 1 when the lexical features were computed
  kQuality,         // the example's quality, [0, 1]
  kSourceCost,      // cost of the model that wrote the response / the most expensive cost
  kQualityCost,     // quality x source cost: a strong model's good answer teaches most
  kLength,          // log1p(example bytes) / log1p(65536)
  kLengthGap,       // |log((example request bytes + 1) / (request bytes + 1))| / 4, 0 w/o text
  kSuccess,         // smoothed success rate (offloads + 1) / (uses + 2)
  kAge,             // log1p(age in days) / 4
  kFeatureCount
};

using FeatureVec = std::array<double, kFeatureCount>;

// The feature's name as ex_stats shows its weight ("utility.w.similarity"): the enum's
// name in snake case. nullptr out of range.
const char* feature_name(int f);

// What the caller knows about the example (read from its row) and the pair.
struct PairInputs {
  double similarity = 0;
  double quality = 0.5;
  double source_cost = 1;    // already divided by the most expensive model's cost
  int64_t bytes = 0;         // the example's stored size (bytes column)
  int64_t uses = 0, offloads = 0;
  double age_seconds = 0;    // now - created_at (negative counts as 0)
};

// request/example may be null when the request text is unknown (a vector query): the
// lexical features are then 0 and kHasText is 0.
FeatureVec pair_features(const PairInputs& in, const TokenSet* request, const TokenSet* example);

}  // namespace iccache::select
