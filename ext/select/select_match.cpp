#include "ext/select/select_match.h"

#include "common/clock.h"
#include "ext/select/select_feedback.h"
#include "ext/table/vtab.h"
#include "select/mmr.h"

namespace iccache::ext {

std::vector<index::Hit> stage1_candidates(Table& t, int k, std::optional<double> min_similarity,
                                          const std::function<std::vector<index::Hit>(int)>& search) {
  // Each search reads the stored generation; the cache follows it before it is used.
  return select::stage1_candidates(t.options.select, k, min_similarity, candidate_cache(t), [&](int want) {
    std::vector<index::Hit> hits = search(want);
    scoring_state(t, t.searched_generation);
    return hits;
  });
}

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
