#include "select/select_state.h"

#include <utility>

#include "common/error.h"

namespace iccache::select {

SelectState::SelectState(std::unique_ptr<SelectStore> store, const TableOptions& options, std::string table,
                         std::mt19937_64& nonce)
    : NonceCache(std::move(store), options, std::move(table), nonce),
      tuner(options.select.threshold_grid, options.select.threshold_explore, options.select.prefill_penalty,
            options.seed),
      candidates(options.models, this->store()) {}  // the parameter `store` is moved from

void SelectState::refresh() {
  const std::optional<int64_t> g = stale_generation();
  if (!g) return;
  UtilityModel m;
  if (auto blob = store().model_blob(); blob && !m.deserialize(*blob))
    throw CorruptData(table() + ": the utility model in " + table() + "_state (key select_model) is damaged; expected " +
                      std::to_string(8 * (kFeatureCount * (kFeatureCount + 1) + 1)) + " bytes of finite numbers");
  const SelectOptions& o = options().select;
  ThresholdTuner tu(o.threshold_grid, o.threshold_explore, o.prefill_penalty, options().seed);
  if (auto blob = store().tuner_blob(); blob && !tu.deserialize(*blob))
    throw CorruptData(table() + ": the threshold tuner in " + table() +
                      "_state (key select_tuner) is damaged or does not fit the threshold_grid option");
  model = m;
  tuner = std::move(tu);
  generation = *g;
  loaded = true;
}

ThresholdChoice SelectState::choose(const float* request) const {
  return choose_threshold(options().select, tuner, request, options().dim);
}

}  // namespace iccache::select
