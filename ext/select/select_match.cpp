#include "ext/select/select_match.h"

#include <algorithm>
#include <numeric>

#include "ext/route/route_state.h"
#include "ext/select/select_state.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

int stage1_count(const Table& t, int k) {
  // Plain top-k also asks for `candidates`, so that dropping repeated requests still leaves
  // k rows.
  return std::max(k, t.options.select.candidates);
}

size_t distinct_requests(Table& t, const std::vector<Hit>& hits) {
  SelectState& ss = select_state(t, t.searched_generation);
  std::vector<std::pair<uint64_t, float>> keys;
  keys.reserve(hits.size());
  for (const Hit& h : hits) {
    const std::optional<uint64_t> key = ss.text_key(h.id);
    // A vanished row counts as distinct: stage 2 skips or reports it, as without this pass.
    keys.emplace_back(key ? *key : static_cast<uint64_t>(h.id), static_cast<float>(h.score));
  }
  std::sort(keys.begin(), keys.end());
  return static_cast<size_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
}

Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<Hit> candidates, int k, bool want_utility,
                         std::optional<double> min_similarity) {
  const SelectOptions& o = t.options.select;
  if (min_similarity)  // stage 1 is by similarity, descending: cut the tail
    candidates.erase(std::find_if(candidates.begin(), candidates.end(),
                                  [&](const Hit& h) { return h.score < *min_similarity; }),
                     candidates.end());
  const bool by_utility = o.selection == SelectionKind::kUtility;
  Selected out;
  const bool maybe_hit = o.hit_similarity && !candidates.empty() && candidates[0].score >= *o.hit_similarity;
  // Table::search has just read the stored generation.
  SelectState& ss = select_state(t, t.searched_generation);
  ss.set_request(text, has_text, wall_clock_now());
  // One example per distinct request: the same question twice teaches nothing more and
  // takes prompt space (a loop run twice on one file admits every request again). A repeat
  // has the same request text and the same similarity (its embedding is the same); rows that
  // share a placeholder text but carry different vectors are different examples.
  std::vector<std::pair<uint64_t, float>> seen;
  auto fresh_hit = [&](const Hit& h) {
    const std::optional<uint64_t> key = ss.text_key(h.id);
    if (!key) return true;  // the scorer reports the missing row
    const std::pair<uint64_t, float> k2{*key, static_cast<float>(h.score)};
    if (std::find(seen.begin(), seen.end(), k2) != seen.end()) return false;
    seen.push_back(k2);
    return true;
  };
  if (!by_utility && !want_utility && !maybe_hit) {
    for (Hit& h : candidates)
      if (out.hits.size() < static_cast<size_t>(k) && fresh_hit(h)) out.hits.push_back(h);
    out.hit_flag.assign(out.hits.size(), 0);
    return out;
  }
  select::FeatureVec x;
  std::vector<double> u(candidates.size(), 0.0);
  bool hit = false;
  const size_t scored = by_utility || want_utility ? candidates.size() : 1;
  std::vector<uint8_t> missing(candidates.size(), 0);
  for (size_t i = 0; i < scored; ++i) {
    // An id this connection's snapshot lacks (a shared index ahead of a long read
    // transaction) is skipped, never an error; with an index that reflected exactly this
    // view it is damage.
    if (!ss.features(candidates[i].id, candidates[i].score, x)) {
      if (t.search_exact)
        throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": example " + std::to_string(candidates[i].id) +
                                                " is in the index but not in " + t.name + "_data");
      missing[i] = 1;
      continue;
    }
    u[i] = ss.model.predict(x);
    if (i == 0 && maybe_hit) hit = ss.last_quality() >= o.hit_quality;
  }
  if (std::find(missing.begin(), missing.end(), 1) != missing.end()) {
    size_t w = 0;
    for (size_t i = 0; i < candidates.size(); ++i)
      if (!missing[i]) {
        candidates[w] = candidates[i];
        u[w] = u[i];
        ++w;
      }
    candidates.resize(w);
    u.resize(w);
  }
  if (!by_utility) {  // plain top-k: stage-1 order kept
    for (size_t i = 0; i < candidates.size() && out.hits.size() < static_cast<size_t>(k); ++i) {
      if (!fresh_hit(candidates[i])) continue;
      out.hits.push_back(candidates[i]);
      if (want_utility) out.utility.push_back(u[i]);
      out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
    }
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
  std::vector<size_t> kept;
  for (size_t i : order)
    if (kept.size() < static_cast<size_t>(k) && fresh_hit(candidates[i])) kept.push_back(i);
  for (size_t i : kept) {
    out.hits.push_back(candidates[i]);
    out.utility.push_back(u[i]);
    out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
  }
  return out;
}

}  // namespace iccache::ext
