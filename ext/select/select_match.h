// MATCH's selection, glue side: stage 1 asks the table's index (Table::search), stage 2
// runs in the engine (engine/select/stage2.h) over candidate rows read through the table's
// selection state (select_feedback.h). Nothing here decides; it wires the table's options,
// index and rows to the engine and turns a damaged index into an SQL error.
#pragma once
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "index/hit.h"
#include "select/stage2.h"

namespace iccache::ext {

struct Table;

using select::Selected;

// Stage 1 with enough distinct requests for stage 2 (select::stage1_candidates); `search`
// is called with the number of neighbours wanted.
std::vector<index::Hit> stage1_candidates(Table& t, int k, std::optional<double> min_similarity,
                                          const std::function<std::vector<index::Hit>(int)>& search);

// Stage 2 over `candidates` (stage-1 order: similarity descending, rowid ascending).
// text: the request text when the query was TEXT (lexical features), else has_text = false.
// want_utility: the utility column is read (matters only for selection='similarity').
// diversity: the MATCH's MMR weight (select/mmr.h); the stored vectors supply the cosines.
// Throws SQLITE_CORRUPT_VTAB when a candidate of an index that reflects exactly this
// connection's view has no row; a shared index ahead of this snapshot skips it.
Selected select_examples(Table& t, const float* query, std::string_view text, bool has_text,
                         std::vector<index::Hit> candidates, int k, bool want_utility,
                         std::optional<double> min_similarity = std::nullopt, double diversity = 0);

}  // namespace iccache::ext
