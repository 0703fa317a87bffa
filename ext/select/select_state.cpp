#include "ext/select/select_state.h"

#include "ext/table/vtab.h"

namespace iccache::ext {

SelectState::SelectState(Table& t)
    : table(t),
      store(t.storage),
      tuner(t.options.select.threshold_grid, t.options.select.threshold_explore,
            t.options.select.prefill_penalty, t.options.seed),
      rows_(store),
      candidates(t.options.models, rows_) {}

int64_t SelectState::next_generation() { return static_cast<int64_t>(table.nonce_rng() >> 1); }

void SelectState::refresh() {
  const int64_t g = store.generation();
  if (loaded && g == generation) return;
  loaded = false;
  select::UtilityModel m;
  if (auto blob = store.model_blob(); blob && !m.deserialize(*blob))
    throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the utility model in " + table.name +
                                            "_state (key select_model) is damaged; expected " +
                                            std::to_string(8 * (select::kFeatureCount * (select::kFeatureCount + 1) + 1)) +
                                            " bytes of finite numbers");
  const SelectOptions& o = table.options.select;
  select::ThresholdTuner tu(o.threshold_grid, o.threshold_explore, o.prefill_penalty, table.options.seed);
  if (auto blob = store.tuner_blob(); blob && !tu.deserialize(*blob))
    throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the threshold tuner in " + table.name +
                                            "_state (key select_tuner) is damaged or does not fit"
                                            " the threshold_grid option");
  model = m;
  tuner = std::move(tu);
  generation = g;
  loaded = true;
}

select::ThresholdChoice SelectState::choose(const float* request) const {
  return select::choose_threshold(table.options.select, tuner, request, table.options.dim);
}

SelectState& select_state(Table& t) {
  if (!t.select) t.select = std::make_shared<SelectState>(t);
  t.select->refresh();
  return *t.select;
}

SelectState& scoring_state(Table& t, std::optional<int64_t> index_generation) {
  SelectState& ss = select_state(t);
  ss.attributes.prepare(t, ss.candidates, index_generation ? *index_generation : t.storage.generation());
  return ss;
}

}  // namespace iccache::ext
