// The selection decisions of MATCH (the IC-Cache example selector, "IC-Cache", SOSP 2025):
// stage 1 (the IVF index) returns candidates by similarity; stage 2 scores each with the
// utility model, drops those below the threshold serving this request and returns the rest
// by utility, at most k, never the same request twice. A semantic-cache hit (hit_similarity
// option) is the most similar candidate when it is similar and good enough: it comes
// first, whatever the threshold, marked hit = 1.
//
// The caller searches (stage1_candidates' `search`) and reads rows (CandidateSource); every
// decision in between is here.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "index/hit.h"
#include "options/select_options.h"
#include "select/candidate_cache.h"
#include "select/threshold_tuner.h"
#include "select/utility_model.h"

namespace iccache::select {

// How many stage-1 candidates a MATCH with this k asks the index for: plain top-k also asks
// for `candidates`, so that dropping repeated requests still leaves k rows.
int stage1_count(const SelectOptions& o, int k);

// How many distinct requests (text key and similarity) are among `hits`. A vanished row
// counts as distinct: stage 2 skips or reports it.
size_t distinct_requests(CandidateCache& cache, const std::vector<index::Hit>& hits);

// Stage 1 that leaves stage 2 at least k distinct requests to choose from: when the nearest
// candidates are mostly copies of one request (a FAQ admitted thousands of times) the index
// is asked again for 4x as many, until k distinct requests are among them, the table has no
// more rows, or the candidates fall below min_similarity. `search(want)` returns the `want`
// nearest (fewer when the table has fewer).
template <typename Search>
std::vector<index::Hit> stage1_candidates(const SelectOptions& o, int k, std::optional<double> min_similarity,
                                   CandidateCache& cache, Search&& search) {
  // 2^20 candidates bound the retries (a 4,096-row k and a table of near-copies).
  constexpr int kMaxCandidates = 1 << 20;
  int want = stage1_count(o, k);
  for (;;) {
    std::vector<index::Hit> hits = search(want);
    if (hits.size() < static_cast<size_t>(want) || want >= kMaxCandidates) return hits;
    if (min_similarity && hits.back().score < *min_similarity) return hits;
    if (distinct_requests(cache, hits) >= static_cast<size_t>(k)) return hits;
    want = std::min(kMaxCandidates, want * 4);
  }
}

// The threshold that serves one request.
struct ThresholdChoice {
  double threshold = 0;
  int index = -1;  // grid index, -1 when pinned by the threshold option
  bool explored = false;
};
// The pinned threshold option, else the tuner's draw for this request vector.
ThresholdChoice choose_threshold(const SelectOptions& o, const ThresholdTuner& tuner,
                                 const float* request, int dim);

struct Stage2Request {
  const float* vector = nullptr;  // the request's embedding (the threshold draw's key)
  int dim = 0;
  int k = 1;
  bool want_utility = false;  // the utility column is read (matters for selection='similarity')
  std::optional<double> min_similarity;  // relevance floor: less similar candidates dropped first
  // Above 0: the k rows are picked by maximal marginal relevance (select/mmr.h) among the
  // candidates that pass, relevance being the utility (selection='utility') or the
  // similarity; `similarity(a, b)` gives the cosine of two examples by id. Rows come back in
  // pick order, a semantic-cache hit still first.
  double diversity = 0;
  std::function<double(int64_t, int64_t)> similarity;
};

struct Selected {
  std::vector<index::Hit> hits;          // result order
  std::vector<double> utility;    // per hit; empty when not computed (selection='similarity'
                                  // and the utility column unused)
  std::vector<uint8_t> hit_flag;  // per hit
  // Scored candidates whose example the source no longer has, in stage-1 order (skipped).
  std::vector<int64_t> missing;
};

// Stage 2 over `candidates` (stage-1 order: similarity descending, rowid ascending). The
// cache must have the request set (CandidateCache::set_request).
Selected select_examples(const SelectOptions& o, const Stage2Request& r, std::vector<index::Hit> candidates,
                         CandidateCache& cache, const UtilityModel& model, const ThresholdTuner& tuner);

}  // namespace iccache::select
