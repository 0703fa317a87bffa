// The second stage of MATCH (PAPER.md, example selector): stage 1 (the IVF index) returns
// `candidates` neighbours by similarity; each is scored by the utility model; those below the
// threshold serving this request are dropped; the rest come back by utility, at most k.
// A semantic-cache hit (hit_similarity option) is the most similar candidate when it is
// similar and good enough: it comes first, whatever the threshold, marked hit = 1.
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "index/hit.h"

namespace iccache::ext {

struct Table;

struct Selected {
  std::vector<Hit> hits;         // result order
  std::vector<double> utility;   // per hit; empty when not computed (selection='similarity'
                                 // and the utility column unused)
  std::vector<uint8_t> hit_flag;  // per hit
};

// How many stage-1 candidates a MATCH with this k asks the index for.
int stage1_count(const Table& t, int k);

// Stage 1 that leaves stage 2 at least k distinct requests to choose from: a selection never
// repeats a request (same text and vector), so when the nearest candidates are mostly copies
// of one request (a FAQ admitted thousands of times) the index is asked again for 4x as many,
// until k distinct requests are among them, the table has no more rows, or the candidates
// fall below min_similarity. `search` is called with the number of neighbours wanted.
template <typename Search>
std::vector<Hit> stage1_candidates(Table& t, int k, std::optional<double> min_similarity,
                                   Search&& search);

// How many distinct requests (text and similarity) are among `hits`.
size_t distinct_requests(Table& t, const std::vector<Hit>& hits);

// Stage 2 over `candidates` (stage-1 order: similarity descending, rowid ascending).
// text: the request text when the query was TEXT (lexical features), else has_text = false.
// want_utility: the utility column is read (matters only for selection='similarity').
// min_similarity: candidates less similar than this are dropped first (relevance floor).
Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<Hit> candidates, int k, bool want_utility,
                         std::optional<double> min_similarity = std::nullopt);

template <typename Search>
std::vector<Hit> stage1_candidates(Table& t, int k, std::optional<double> min_similarity,
                                   Search&& search) {
  // 2^20 candidates bound the retries (a 4,096-row k and a table of near-copies).
  constexpr int kMaxCandidates = 1 << 20;
  int want = stage1_count(t, k);
  for (;;) {
    std::vector<Hit> hits = search(want);
    if (hits.size() < static_cast<size_t>(want) || want >= kMaxCandidates) return hits;
    if (min_similarity && hits.back().score < *min_similarity) return hits;
    if (distinct_requests(t, hits) >= static_cast<size_t>(k)) return hits;
    want = std::min(kMaxCandidates, want * 4);
  }
}

}  // namespace iccache::ext
