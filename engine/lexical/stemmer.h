// Light stemming for the lexical index: step 1 of Porter's suffix stripping (M. F. Porter,
// "An algorithm for suffix stripping", 1980), which folds plurals and -ed/-ing forms onto
// one stem ("companies", "company" -> "compani"; "stated", "states", "state" -> "state";
// "making", "make" -> "make"), so a paraphrase that changes a word's inflection still
// shares its term. Only step 1: the later steps also fold derivations ("relational" ->
// "relate") and would merge words a request distinguishes. Words with anything but ASCII
// letters a-z (digits, other scripts, an unfolded capital) and words under three letters
// are left as they are.
#pragma once
#include <string>
#include <string_view>

namespace iccache::lexical {

// The stem of a case-folded word, written to `out` (replaced). Deterministic, no locale.
void stem_word(std::string_view word, std::string& out);

}  // namespace iccache::lexical
