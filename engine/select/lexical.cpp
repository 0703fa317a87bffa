#include "select/lexical.h"

#include <algorithm>

namespace iccache::select {

namespace {

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// FNV-1a over the token, ASCII lowered; numbers and words get different offsets so "1" and
// a word hashing alike never meet (they live in separate sets anyway).
uint64_t hash_token(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    if (c == ',') continue;  // 1,000 == 1000
    h = (h ^ c) * 0x100000001B3ull;
  }
  return h;
}

void sort_unique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void TokenSet::assign(std::string_view text) {
  words.clear();
  numbers.clear();
  bytes = text.size();
  text = text.substr(0, kMaxTokenBytes);
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_digit(c)) {
      size_t j = i + 1;
      // 3.5 and 1,000 are one number; a trailing '.' or ',' is punctuation.
      while (j < n && (is_digit(static_cast<unsigned char>(text[j])) ||
                       ((text[j] == '.' || text[j] == ',') && j + 1 < n &&
                        is_digit(static_cast<unsigned char>(text[j + 1])))))
        ++j;
      numbers.push_back(hash_token(text.substr(i, j - i), 0x84222325CBF29CE4ull));
      i = j;
    } else if (is_letter(c)) {
      size_t j = i + 1;
      while (j < n && is_letter(static_cast<unsigned char>(text[j]))) ++j;
      words.push_back(hash_token(text.substr(i, j - i), 0xCBF29CE484222325ull));
      i = j;
    } else {
      ++i;
    }
  }
  sort_unique(words);
  sort_unique(numbers);
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++common, ++i, ++j;
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace iccache::select
