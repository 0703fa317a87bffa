#include "select/select_store.h"

#include "common/error.h"
#include "select/learning.h"

namespace iccache::select {

void check_sample(const SampleRow& r, const std::string& table) {
  if (!well_formed_sample(r.features, r.shown))
    throw CorruptData(table + ": the selection sample of decision " + std::to_string(r.decision) + " has " +
                      std::to_string(r.features.size()) + " bytes of features for " + std::to_string(r.shown) +
                      " examples; expected " + std::to_string(8 * kFeatureCount) +
                      " bytes per example (and, for a counterfactual sample, 8 bytes per example and 8 more)");
}

std::vector<Sample> labelled_pairs(int64_t decision, std::string_view features, int64_t shown, double reward,
                                   const std::string& table) {
  const std::optional<SampleLabels> l = sample_labels(features, shown, reward);
  if (!l || !l->well_formed)
    throw CorruptData(table + ": the selection sample of decision " + std::to_string(decision) +
                      " has features of the wrong size; expected " + std::to_string(sizeof(FeatureVec)) +
                      " bytes per example shown");
  return l->pairs;
}

}  // namespace iccache::select
