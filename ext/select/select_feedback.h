// Selection's glue: the table's selection state (engine/select/select_state.h) over its SQL
// store (select_store.h), which MATCH, routing (engine/select/select_feedback.h, through
// ext/route/route_ops.cpp) and 'train' use; and the change-log entries that tell every
// connection's attribute cache which examples' statistics changed.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "common/stat_rows.h"
#include "select/select_feedback.h"

namespace iccache::ext {

struct Table;

// The selection state of table t, created on first use and refreshed against the nonce.
select::SelectState& select_state(Table& t);
// The same, with its candidates pointed at the attribute caches that serve this statement
// (SelectState::follow_attributes). index_generation: the index's generation when the
// caller has just read it (MATCH, after the search), else nullopt and it is read here.
select::SelectState& scoring_state(Table& t, std::optional<int64_t> index_generation = std::nullopt);
// The candidate cache of t's selection state, created if need be but not refreshed.
select::CandidateCache& candidate_cache(Table& t);
// The example manager changed the statistics (uses, offloads) of `ids`: a change-log entry
// per example (kind kStats) tells every connection's attribute cache to forget just those.
void select_examples_changed(Table& t, std::span<const int64_t> ids);
// INSERT INTO ex(ex) VALUES('train'): select::train_utility_model on t's state, unrefreshed.
int64_t train_utility_model(Table& t);
// Selection's rows of iccache_stats (stats.h).
void select_stats(Table& t, StatRows& out);

}  // namespace iccache::ext
