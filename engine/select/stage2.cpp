#include "select/stage2.h"

#include "select/mmr.h"

namespace iccache::select {

namespace {

// One example per distinct request: the same question twice teaches nothing more and takes
// prompt space (a loop run twice on one file admits every request again). A repeat has the
// same request text and the same similarity (its embedding is the same); rows that share a
// placeholder text but carry different vectors are different examples.
class RepeatFilter {
 public:
  explicit RepeatFilter(CandidateCache& cache) : cache_(cache) {}
  // False when a request with this text and similarity was already taken.
  bool fresh(const index::Hit& h) {
    const std::optional<uint64_t> key = cache_.text_key(h.id);
    if (!key) return true;  // a missing row is reported by the scorer
    const std::pair<uint64_t, float> k{*key, h.score};
    if (std::find(seen_.begin(), seen_.end(), k) != seen_.end()) return false;
    seen_.push_back(k);
    return true;
  }

 private:
  CandidateCache& cache_;
  std::vector<std::pair<uint64_t, float>> seen_;
};

// MMR over `pool` (indices into candidates, best ranked first, no repeated request): at most
// k of them in pick order. When keep_first, pool[0] (a semantic-cache hit) is picked first.
std::vector<size_t> diversify(const Stage2Request& r, const std::vector<index::Hit>& candidates,
                              const std::vector<size_t>& pool, std::vector<double> relevance, size_t k,
                              bool keep_first) {
  if (keep_first && !relevance.empty()) relevance[0] = 1e9;
  const std::vector<size_t> order = mmr_order(
      relevance, [&](size_t a, size_t b) { return r.similarity(candidates[pool[a]].id, candidates[pool[b]].id); },
      k, r.diversity);
  std::vector<size_t> out;
  out.reserve(order.size());
  for (size_t j : order) out.push_back(pool[j]);
  return out;
}

}  // namespace

int stage1_count(const SelectOptions& o, int k) { return std::max(k, o.candidates); }

size_t distinct_requests(CandidateCache& cache, const std::vector<index::Hit>& hits) {
  std::vector<std::pair<uint64_t, float>> keys;
  keys.reserve(hits.size());
  for (const index::Hit& h : hits) {
    const std::optional<uint64_t> key = cache.text_key(h.id);
    keys.emplace_back(key ? *key : static_cast<uint64_t>(h.id), h.score);
  }
  std::sort(keys.begin(), keys.end());
  return static_cast<size_t>(std::unique(keys.begin(), keys.end()) - keys.begin());
}

ThresholdChoice choose_threshold(const SelectOptions& o, const ThresholdTuner& tuner,
                                 const float* request, int dim) {
  if (o.threshold) return {*o.threshold, -1, false};
  const ThresholdDraw d = tuner.draw(request_key(request, dim));
  return {tuner.grid()[d.index], d.index, d.explored};
}

Selected select_examples(const SelectOptions& o, const Stage2Request& r, std::vector<index::Hit> candidates,
                         CandidateCache& cache, const UtilityModel& model, const ThresholdTuner& tuner) {
  const size_t k = static_cast<size_t>(r.k);
  if (r.min_similarity)  // stage 1 is by similarity, descending: cut the tail
    candidates.erase(std::find_if(candidates.begin(), candidates.end(),
                                  [&](const index::Hit& h) { return h.score < *r.min_similarity; }),
                     candidates.end());
  const bool by_utility = o.selection == SelectionKind::kUtility;
  const bool maybe_hit = o.hit_similarity && !candidates.empty() && candidates[0].score >= *o.hit_similarity;
  Selected out;
  RepeatFilter repeats(cache);
  const bool diverse = r.diversity > 0 && r.similarity;
  if (!by_utility && !r.want_utility && !maybe_hit && diverse) {  // MMR by similarity, nothing scored
    std::vector<size_t> pool;
    std::vector<double> rel;
    for (size_t i = 0; i < candidates.size(); ++i)
      if (repeats.fresh(candidates[i])) pool.push_back(i), rel.push_back(candidates[i].score);
    for (size_t i : diversify(r, candidates, pool, rel, k, false)) out.hits.push_back(candidates[i]);
    out.hit_flag.assign(out.hits.size(), 0);
    return out;
  }
  if (!by_utility && !r.want_utility && !maybe_hit) {  // plain top-k, nothing scored
    for (const index::Hit& h : candidates)
      if (out.hits.size() < k && repeats.fresh(h)) out.hits.push_back(h);
    out.hit_flag.assign(out.hits.size(), 0);
    return out;
  }

  // Score (all candidates, or only the first when only the hit needs checking).
  FeatureVec x;
  std::vector<double> u(candidates.size(), 0.0);
  bool hit = false;
  const size_t scored = by_utility || r.want_utility ? candidates.size() : 1;
  std::vector<uint8_t> gone(candidates.size(), 0);
  for (size_t i = 0; i < scored; ++i) {
    if (!cache.features(candidates[i].id, candidates[i].score, x)) {
      gone[i] = 1;
      out.missing.push_back(candidates[i].id);
      continue;
    }
    u[i] = model.predict(x);
    if (i == 0 && maybe_hit) hit = cache.last_quality() >= o.hit_quality;
  }
  if (!out.missing.empty()) {  // skipped: compact candidates and utilities together
    size_t w = 0;
    for (size_t i = 0; i < candidates.size(); ++i)
      if (!gone[i]) {
        candidates[w] = candidates[i];
        u[w] = u[i];
        ++w;
      }
    candidates.resize(w);
    u.resize(w);
  }

  if (!by_utility && diverse) {  // MMR by similarity
    std::vector<size_t> pool;
    std::vector<double> rel;
    for (size_t i = 0; i < candidates.size(); ++i)
      if (repeats.fresh(candidates[i])) pool.push_back(i), rel.push_back(candidates[i].score);
    for (size_t i : diversify(r, candidates, pool, rel, k, hit && !pool.empty() && pool[0] == 0)) {
      out.hits.push_back(candidates[i]);
      if (r.want_utility) out.utility.push_back(u[i]);
      out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
    }
    return out;
  }
  if (!by_utility) {  // plain top-k: stage-1 order kept
    for (size_t i = 0; i < candidates.size() && out.hits.size() < k; ++i) {
      if (!repeats.fresh(candidates[i])) continue;
      out.hits.push_back(candidates[i]);
      if (r.want_utility) out.utility.push_back(u[i]);
      out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
    }
    return out;
  }

  // By utility: the threshold, then the order (stable: equal utilities keep stage-1 order,
  // similarity then rowid), the hit first, then the k cut over distinct requests.
  const ThresholdChoice choice = choose_threshold(o, tuner, r.vector, r.dim);
  std::vector<size_t> order;
  order.reserve(candidates.size());
  for (size_t i = hit ? 1 : 0; i < candidates.size(); ++i)
    if (u[i] >= choice.threshold) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return u[a] > u[b]; });
  if (hit) order.insert(order.begin(), 0);
  if (diverse) {  // MMR by utility over every candidate that passed the threshold
    std::vector<size_t> pool;
    std::vector<double> rel;
    for (size_t i : order)
      if (repeats.fresh(candidates[i])) pool.push_back(i), rel.push_back(u[i]);
    for (size_t i : diversify(r, candidates, pool, rel, k, hit)) {
      out.hits.push_back(candidates[i]);
      out.utility.push_back(u[i]);
      out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
    }
    return out;
  }
  for (size_t i : order) {
    if (out.hits.size() >= k) break;
    if (!repeats.fresh(candidates[i])) continue;
    out.hits.push_back(candidates[i]);
    out.utility.push_back(u[i]);
    out.hit_flag.push_back(hit && i == 0 ? 1 : 0);
  }
  return out;
}

}  // namespace iccache::select
