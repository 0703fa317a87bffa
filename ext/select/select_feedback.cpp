#include "ext/select/select_feedback.h"

#include "ext/select/select_state.h"
#include "route/decision_log.h"
#include "select/learning.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

std::vector<double> route_utilities(Table& t, const float* request, std::string_view text, bool has_text,
                                    const std::vector<int64_t>& ids, const std::vector<double>& sims,
                                    double at, SampleRow& sample) {
  SelectState& ss = scoring_state(t);
  ss.candidates.set_request(text, has_text, at);
  std::vector<double> u(ids.size(), 0.0);
  sample = SampleRow{};
  std::vector<select::FeatureVec> xs(ids.size(), select::FeatureVec{});
  for (size_t i = 0; i < ids.size(); ++i) {
    // route_request has checked that each example exists; one gone since logs zeros.
    if (ss.candidates.features(ids[i], sims[i], xs[i])) u[i] = ss.model.predict(xs[i]);
    else xs[i] = select::FeatureVec{};
  }
  sample.features = select::encode_sample_features(xs);
  sample.shown = static_cast<int>(ids.size());
  // Only MATCH with selection='utility' applies the threshold; otherwise the tuner learns nothing.
  sample.tuner = t.options.select.selection == SelectionKind::kUtility ? ss.choose(request).index : -1;
  return u;
}

void log_selection_sample(Table& t, SampleRow& sample, int64_t decision, double at) {
  SelectState& ss = select_state(t);
  sample.decision = decision;
  sample.time = at;
  ss.store.insert_sample(sample);
  if (const auto p = route::log_prune_due(decision, at, t.options.route)) ss.store.prune(p->before, p->up_to_id, p->batch);
}

void record_selection_feedback(Table& t, int64_t decision, std::string_view served_arm, double reward,
                               double at, bool keep_for_shadow) {
  SelectState& ss = select_state(t);
  const std::optional<SampleRow> row = ss.store.sample(decision);
  if (!row || row->reward) return;  // pruned, labelled, or routed before selection logged samples
  if (!select::learns_from(t.options.models, served_arm)) {
    if (!keep_for_shadow) ss.store.remove(decision);
    return;
  }
  select::UtilityModel model = ss.model;
  select::ThresholdTuner tuner = ss.tuner;
  const select::Lesson learned = select::learn_from_reward(model, tuner, row->features, row->shown, row->tuner,
                                                           reward, t.options.select.threshold.has_value());
  ss.store.label(decision, reward, at);
  if (!learned.model && !learned.tuner) return;
  const std::string model_blob = model.serialize(), tuner_blob = tuner.serialize();
  const int64_t g = ss.next_generation();
  ss.store.write_state(learned.model ? &model_blob : nullptr, learned.tuner ? &tuner_blob : nullptr, g);
  // Memory follows the write; if the enclosing savepoint rolls back, the stored nonce goes
  // back too, differs from g, and the next use reloads.
  ss.model = model;
  ss.tuner = std::move(tuner);
  ss.generation = g;
}

void select_examples_changed(Table& t, std::span<const int64_t> ids) {
  if (ids.empty()) return;
  // One log entry per example: every connection's attribute cache forgets just these.
  for (int64_t id : ids) t.record_change(ChangeKind::kStats, id, 0);
}

int64_t train_utility_model(Table& t) {
  // Not select_state(): a refit must also work when the stored model is damaged.
  if (!t.select) t.select = std::make_shared<SelectState>(t);
  SelectState& ss = *t.select;
  const std::vector<select::Sample> samples = ss.store.labelled();
  select::UtilityModel model;
  model.fit(samples);
  const std::string blob = model.serialize();
  ss.store.write_state(&blob, nullptr, ss.next_generation());
  ss.loaded = false;  // the next use loads the new model (and the tuner) from the file
  return static_cast<int64_t>(samples.size());
}

}  // namespace iccache::ext
