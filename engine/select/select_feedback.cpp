#include "select/select_feedback.h"

#include "route/decision_log.h"
#include "select/learning.h"

namespace iccache::select {

std::vector<double> route_utilities(SelectState& ss, const float* request, std::string_view text, bool has_text,
                                    const std::vector<int64_t>& ids, const std::vector<double>& sims, double at,
                                    SampleRow& sample) {
  ss.candidates.set_request(text, has_text, at);
  std::vector<double> u(ids.size(), 0.0);
  sample = SampleRow{};
  std::vector<FeatureVec> xs(ids.size(), FeatureVec{});
  for (size_t i = 0; i < ids.size(); ++i) {
    // route_request has checked that each example exists; one gone since logs zeros.
    if (ss.candidates.features(ids[i], sims[i], xs[i])) u[i] = ss.model.predict(xs[i]);
    else xs[i] = FeatureVec{};
  }
  sample.features = encode_sample_features(xs);
  sample.shown = static_cast<int>(ids.size());
  // Only MATCH with selection='utility' applies the threshold; otherwise the tuner learns nothing.
  sample.tuner = ss.options().select.selection == SelectionKind::kUtility ? ss.choose(request).index : -1;
  return u;
}

void log_selection_sample(SelectState& ss, SampleRow& sample, int64_t decision, double at) {
  sample.decision = decision;
  sample.time = at;
  ss.store().insert_sample(sample);
  if (const auto p = route::log_prune_due(decision, at, ss.options().route))
    ss.store().prune(p->before, p->up_to_id, p->batch);
}

void record_selection_feedback(SelectState& ss, int64_t decision, std::string_view served_arm, double reward,
                               double at, bool keep_for_shadow) {
  const std::optional<SampleRow> row = ss.store().sample(decision);
  if (!row || row->reward) return;  // pruned, labelled, or routed before selection logged samples
  if (!learns_from(ss.options().models, served_arm)) {
    if (!keep_for_shadow) ss.store().remove(decision);
    return;
  }
  UtilityModel model = ss.model;
  ThresholdTuner tuner = ss.tuner;
  const Lesson learned = learn_from_reward(model, tuner, row->features, row->shown, row->tuner, reward,
                                           ss.options().select.threshold.has_value());
  ss.store().label(decision, reward, at);
  if (!learned.model && !learned.tuner) return;
  const std::string model_blob = model.serialize(), tuner_blob = tuner.serialize();
  const int64_t g = ss.next_generation();
  ss.store().write_state(learned.model ? &model_blob : nullptr, learned.tuner ? &tuner_blob : nullptr, g);
  ss.model = model;
  ss.tuner = std::move(tuner);
  ss.generation = g;
}

int64_t train_utility_model(SelectState& ss) {
  const std::vector<Sample> samples = ss.store().labelled();
  UtilityModel model;
  model.fit(samples);
  const std::string blob = model.serialize();
  ss.store().write_state(&blob, nullptr, ss.next_generation());
  ss.loaded = false;  // the next use loads the new model (and the tuner) from the store
  return static_cast<int64_t>(samples.size());
}

}  // namespace iccache::select
