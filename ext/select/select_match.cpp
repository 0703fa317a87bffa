#include "ext/select/select_match.h"

#include "common/clock.h"
#include "ext/select/select_feedback.h"
#include "ext/table/vtab.h"
#include "select/mmr.h"

namespace iccache::ext {

void refresh_after_search(Table& t) { scoring_state(t, t.searched_generation); }

const SelectOptions& select_options(const Table& t) { return t.options.select; }

Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<index::Hit> candidates, int k, bool want_utility,
                         std::optional<double> min_similarity, double diversity) {
  // Table::search has just read the stored generation.
  select::SelectState& ss = scoring_state(t, t.searched_generation);
  ss.candidates.set_request(text, has_text, wall_clock_now());
  select::Stage2Request r;
  r.vector = query;
  r.dim = t.options.dim;
  r.k = k;
  r.want_utility = want_utility;
  r.min_similarity = min_similarity;
  r.diversity = diversity;
  // MMR compares candidates with each other: their stored unit vectors.
  r.similarity = select::cached_cosine([&](int64_t id) { return t.storage.stored_vector(id, t.options.dim); },
                                       static_cast<size_t>(t.options.dim));
  Selected out = select::select_examples(t.options.select, r, std::move(candidates), ss.candidates, ss.model, ss.tuner);
  // An id this connection's snapshot lacks (a shared index ahead of a long read
  // transaction) is skipped, never an error; with an index that reflected exactly this
  // view it is damage.
  if (!out.missing.empty() && t.search_exact)
    throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": example " + std::to_string(out.missing.front()) +
                                            " is in the index but not in " + t.name + "_data");
  return out;
}

}  // namespace iccache::ext
