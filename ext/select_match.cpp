#include "select_match.h"

#include <algorithm>
#include <numeric>

#include "route_state.h"
#include "select_state.h"
#include "vtab.h"

namespace iccache::ext {

int stage1_count(const Table& t, int k) {
  if (t.options.select.selection == SelectionKind::kSimilarity) return k;
  return std::max(k, t.options.select.candidates);
}

Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<Hit> candidates, int k, bool want_utility) {
  const SelectOptions& o = t.options.select;
  const bool by_utility = o.selection == SelectionKind::kUtility;
  Selected out;
  const bool maybe_hit = o.hit_similarity && !candidates.empty() && candidates[0].score >= *o.hit_similarity;
  if (!by_utility && !want_utility && !maybe_hit) {
    out.hits = std::move(candidates);
    out.hit_flag.assign(out.hits.size(), 0);
    return out;
  }
  // Table::search has just checked the index against the stored generation.
  SelectState& ss = select_state(t, t.index_loaded ? std::optional<int64_t>(t.index_generation) : std::nullopt);
  ss.set_request(text, has_text, wall_clock_now());
  select::FeatureVec x;
  std::vector<double> u(candidates.size(), 0.0);
  bool hit = false;
  const size_t scored = by_utility || want_utility ? candidates.size() : 1;
  for (size_t i = 0; i < scored; ++i) {
    if (!ss.features(candidates[i].id, candidates[i].score, x))
      throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": example " + std::to_string(candidates[i].id) +
                                              " is in the index but not in " + t.name + "_data");
    u[i] = ss.model.predict(x);
    if (i == 0 && maybe_hit) hit = ss.last_quality() >= o.hit_quality;
  }
  if (!by_utility) {  // plain top-k: stage-1 order kept
    out.hits = std::move(candidates);
    if (want_utility) out.utility = std::move(u);
    out.hit_flag.assign(out.hits.size(), 0);
    if (hit) out.hit_flag[0] = 1;
    return out;
  }
  const ThresholdChoice choice = ss.choose(query);
  std::vector<size_t> order;
  order.reserve(candidates.size());
  for (size_t i = hit ? 1 : 0; i < candidates.size(); ++i)
    if (u[i] >= choice.threshold) order.push_back(i);
  // Stable: equal utilities keep stage-1 order (similarity, then rowid).
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return u[a] > u[b]; });
  if (hit) order.insert(order.begin(), 0);
  if (order.size() > static_cast<size_t>(k)) order.resize(k);
  for (size_t i : order) {
    out.hits.push_back(candidates[i]);
    out.utility.push_back(u[i]);
    out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
  }
  return out;
}

}  // namespace iccache::ext
