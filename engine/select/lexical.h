// Lexical overlap of two texts: the word and number sets of a request and of an example's
// request, compared by Jaccard index. A TinyBERT-sized cross-encoder cannot ship inside a
// SQLite extension; exact word and number overlap are the cheap signals that the hashed
// embedding blurs (GSM8K-style problems differ in their numbers, "function of TV" vs
// "function of money" in one word).
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace iccache::select {

// Sorted, de-duplicated 64-bit hashes of a text's words (runs of letters, ASCII lowered,
// any non-ASCII byte counts as a letter) and numbers (runs of digits, with inner '.' or ',').
// Only the first kMaxTokenBytes are read: the overlap of a request with a 10 MB document is
// decided by its beginning, and MATCH must not tokenise megabytes per candidate.
constexpr size_t kMaxTokenBytes = 16384;

struct TokenSet {
  std::vector<uint64_t> words;
  std::vector<uint64_t> numbers;
  size_t bytes = 0;  // length of the whole text

  // Re-fills this set from text, reusing the vectors' capacity (no allocation once warm).
  void assign(std::string_view text);
  void clear() { words.clear(), numbers.clear(), bytes = 0; }
};

// |a ∩ b| / |a ∪ b| of two sorted sets; 0 when both are empty.
double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

}  // namespace iccache::select
