// Selection's rows of iccache_stats / ex_stats (select_state.h select_stats).
#include <cmath>

#include "common/number_format.h"
#include "select/select_state.h"

namespace iccache::select {

void select_stats(SelectState& ss, StatRows& out) {
  const SelectOptions& o = ss.options().select;
  const bool by_utility = o.selection == SelectionKind::kUtility;
  out.push_back({"selection", std::string(by_utility ? "utility" : "similarity")});
  out.push_back({"candidates", int64_t{by_utility ? o.candidates : 0}});
  out.push_back({"threshold", by_utility ? StatValue(o.threshold ? *o.threshold : ss.tuner.threshold()) : StatValue()});
  out.push_back({"threshold_source", std::string(!by_utility ? "none" : o.threshold ? "option" : "tuned")});
  out.push_back({"threshold_explore", o.threshold ? 0.0 : o.threshold_explore});
  out.push_back({"prefill_penalty", o.prefill_penalty});
  for (size_t i = 0; i < ss.tuner.grid().size(); ++i) {
    const TunerArm& a = ss.tuner.arms()[i];
    const std::string prefix = "threshold." + format_number(ss.tuner.grid()[i]) + ".";
    out.push_back({prefix + "requests", a.n});
    out.push_back({prefix + "mean_value", a.n ? StatValue(a.mean()) : StatValue()});
    out.push_back({prefix + "sd", a.n > 1 ? StatValue(std::sqrt(a.variance())) : StatValue()});
  }
  out.push_back({"hit_similarity", o.hit_similarity ? StatValue(*o.hit_similarity) : StatValue()});
  out.push_back({"hit_quality", o.hit_quality});
  // Rows this connection read for scoring (the attribute cache, shared per process, holds
  // the rest): a foreign write or feedback costs only the rows it changed.
  out.push_back({"select_rows_read", ss.candidates.rows_read()});
  out.push_back({"utility_samples", ss.model.samples()});
  out.push_back({"utility_log", ss.store().count(false)});
  out.push_back({"utility_log_labelled", ss.store().count(true)});
  for (int f = 0; f < kFeatureCount; ++f)
    out.push_back({std::string("utility.w.") + feature_name(f), ss.model.weights()[f]});
}

}  // namespace iccache::select
