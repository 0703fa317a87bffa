#include "ext/select/select_feedback.h"

#include <memory>

#include "ext/select/select_store.h"
#include "ext/stats/stats.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

select::CandidateCache& candidate_cache(Table& t) {
  if (!t.select)
    t.select = std::make_shared<select::SelectState>(std::make_unique<SelectStore>(t), t.options, t.name,
                                                     t.nonce_rng);
  return t.select->candidates;
}

select::SelectState& select_state(Table& t) {
  candidate_cache(t);
  t.select->refresh();
  return *t.select;
}

select::SelectState& scoring_state(Table& t, std::optional<int64_t> index_generation) {
  select::SelectState& ss = select_state(t);
  ss.follow_attributes(index_generation ? *index_generation : t.storage.generation());
  return ss;
}

void select_examples_changed(Table& t, std::span<const int64_t> ids) {
  if (ids.empty()) return;
  // One log entry per example: every connection's attribute cache forgets just these.
  for (int64_t id : ids) t.record_change(ChangeKind::kStats, id, 0);
}

int64_t train_utility_model(Table& t) {
  candidate_cache(t);  // the state, not select_state(): a refit must work on a damaged model
  return select::train_utility_model(*t.select);
}

void select_stats(Table& t, StatRows& out) { select::select_stats(select_state(t), out); }

}  // namespace iccache::ext
