// The second stage of MATCH (PAPER.md, example selector): stage 1 (the IVF index) returns
// `candidates` neighbours by similarity; each is scored by the utility model; those below the
// threshold serving this request are dropped; the rest come back by utility, at most k.
// A semantic-cache hit (hit_similarity option) is the most similar candidate when it is
// similar and good enough: it comes first, whatever the threshold, marked hit = 1.
#pragma once
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

// Stage 2 over `candidates` (stage-1 order: similarity descending, rowid ascending).
// text: the request text when the query was TEXT (lexical features), else has_text = false.
// want_utility: the utility column is read (matters only for selection='similarity').
// min_similarity: candidates less similar than this are dropped first (relevance floor).
Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<Hit> candidates, int k, bool want_utility,
                         std::optional<double> min_similarity = std::nullopt);

}  // namespace iccache::ext
