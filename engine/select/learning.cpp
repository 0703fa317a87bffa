#include "select/learning.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "select/counterfactual.h"

namespace iccache::select {

bool learns_from(std::span<const ModelArm> models, std::string_view arm) {
  const ModelArm* served = nullptr;
  for (const ModelArm& m : models)
    if (m.name == arm) served = &m;
  if (!served) return false;
  double lo = models.front().cost, hi = lo;
  for (const ModelArm& m : models) lo = std::min(lo, m.cost), hi = std::max(hi, m.cost);
  return served->cost < hi || lo == hi;
}

std::string encode_sample_features(std::span<const FeatureVec> examples) {
  std::string out(sizeof(FeatureVec) * examples.size(), '\0');
  if (!examples.empty()) std::memcpy(out.data(), examples.data(), out.size());
  return out;
}

Lesson learn_from_reward(UtilityModel& model, ThresholdTuner& tuner, std::string_view features, int shown,
                         int tuner_index, double reward, bool threshold_pinned) {
  FeatureVec x;
  const size_t body = sizeof x * static_cast<size_t>(shown);
  const std::optional<Trailer> cf =
      features.size() > body ? decode_trailer(features.substr(body), static_cast<size_t>(shown)) : std::nullopt;
  bool probe = false;
  for (int i = 0; i < shown; ++i) {
    std::memcpy(x.data(), features.data() + i * sizeof x, sizeof x);
    const bool kept = !cf || cf->kept[i];
    probe |= !kept;
    model.observe(x, cf ? counterfactual_label(reward, cf->baseline, kept) : reward);
  }
  Lesson out;
  out.model = shown > 0;
  out.tuner = tuner_index >= 0 && !threshold_pinned && !probe;
  if (out.tuner) tuner.record(tuner_index, reward, shown);
  return out;
}

}  // namespace iccache::select
