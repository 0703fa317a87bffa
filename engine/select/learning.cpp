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

std::optional<SampleLabels> sample_labels(std::string_view features, int64_t shown, double reward) {
  constexpr size_t kRow = sizeof(FeatureVec);
  if (shown < 0) return std::nullopt;
  const size_t body = kRow * static_cast<size_t>(shown);
  if (features.size() < body) return std::nullopt;
  // A counterfactual sample carries a trailer after the features (counterfactual.h).
  const std::optional<Trailer> cf =
      features.size() > body ? decode_trailer(features.substr(body), static_cast<size_t>(shown)) : std::nullopt;
  SampleLabels out;
  out.well_formed = features.size() == body || cf;
  out.pairs.resize(static_cast<size_t>(shown));
  for (size_t i = 0; i < out.pairs.size(); ++i) {
    std::memcpy(out.pairs[i].x.data(), features.data() + i * kRow, kRow);
    const bool kept = !cf || cf->kept[i];
    out.probe |= !kept;
    out.pairs[i].label = cf ? counterfactual_label(reward, cf->baseline, kept) : reward;
  }
  return out;
}

bool well_formed_sample(std::string_view features, int64_t shown) {
  if (shown < 0) return false;
  const size_t body = sizeof(FeatureVec) * static_cast<size_t>(shown);
  return features.size() == body ||
         (features.size() > body && decode_trailer(features.substr(body), static_cast<size_t>(shown)));
}

Lesson learn_from_reward(UtilityModel& model, ThresholdTuner& tuner, std::string_view features, int shown,
                         int tuner_index, double reward, bool threshold_pinned) {
  const std::optional<SampleLabels> labels = sample_labels(features, shown, reward);
  if (labels)
    for (const Sample& s : labels->pairs) model.observe(s.x, s.label);
  Lesson out;
  out.model = shown > 0;
  out.tuner = tuner_index >= 0 && !threshold_pinned && !(labels && labels->probe);
  if (out.tuner) tuner.record(tuner_index, reward, shown);
  return out;
}

}  // namespace iccache::select
