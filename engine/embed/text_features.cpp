#include "embed/text_features.h"

#include <algorithm>

#include "common/utf8.h"

namespace iccache {
namespace {

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

// ASCII letters and digits, and every code point >= U+0080 except the Latin-1 punctuation
// block, general punctuation and CJK punctuation (and the BOM), which separate words.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) {
    return in(cp, '0', '9') || in(cp, 'a', 'z') || in(cp, 'A', 'Z');
  }
  return !in(cp, 0x80, 0xBF) && !in(cp, 0x2000, 0x206F) && !in(cp, 0x3000, 0x303F) && cp != 0xFEFF;
}

// Simple lowercase mapping for ASCII, Latin-1, Latin Extended-A, basic Greek and Cyrillic:
// the scripts where case differences are common in requests.
char32_t fold_case(char32_t cp) {
  if (in(cp, 'A', 'Z')) return cp + 0x20;
  if (cp < 0xC0) return cp;
  if (in(cp, 0xC0, 0xDE) && cp != 0xD7) return cp + 0x20;  // Latin-1, except U+00D7 (×)
  if (in(cp, 0x100, 0x17F)) {
    // Latin Extended-A alternates upper/lower in pairs, with the parity flipping twice.
    if (cp == 0x130) return 'i';   // İ
    if (cp == 0x178) return 0xFF;  // Ÿ
    const bool odd_upper = in(cp, 0x139, 0x148) || in(cp, 0x179, 0x17E);
    const bool even_upper = in(cp, 0x100, 0x12F) || in(cp, 0x132, 0x137) || in(cp, 0x14A, 0x177);
    if ((odd_upper && cp % 2 == 1) || (even_upper && cp % 2 == 0)) return cp + 1;
    return cp;
  }
  if (in(cp, 0x391, 0x3A9) && cp != 0x3A2) return cp + 0x20;  // Greek; U+03A2 is unassigned
  if (in(cp, 0x400, 0x40F)) return cp + 0x50;                 // Cyrillic Ѐ..Џ
  if (in(cp, 0x410, 0x42F)) return cp + 0x20;                 // Cyrillic А..Я
  return cp;
}

}  // namespace

size_t TextFeatures::split(std::string_view text) {
  // Separators become spaces; words are offsets into folded_ (8 bytes a word, not a string
  // each).
  folded_.clear();
  folded_.reserve(text.size());
  for (size_t pos = 0, len = 0; pos < text.size(); pos += len) {
    const char32_t cp = utf8::decode(text, pos, &len);
    utf8::append(folded_, is_word_char(cp) ? fold_case(cp) : U' ');
  }
  words_.clear();
  for (size_t pos = 0; pos < folded_.size();) {
    const size_t begin = folded_.find_first_not_of(' ', pos);
    if (begin == std::string::npos) break;
    const size_t end = std::min(folded_.find(' ', begin), folded_.size());
    words_.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
    pos = end;
  }
  return words_.size();
}

void TextFeatures::release_scratch(size_t keep_bytes) {
  if (folded_.capacity() > keep_bytes) std::string().swap(folded_);
  if (words_.capacity() * sizeof(words_[0]) > keep_bytes) decltype(words_)().swap(words_);
  if (wrapped_.capacity() > keep_bytes) std::string().swap(wrapped_);
  if (rewritten_.capacity() > keep_bytes) std::string().swap(rewritten_);
}

}  // namespace iccache
