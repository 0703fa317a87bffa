#include "lexical/stemmer.h"

#include <algorithm>

namespace iccache::lexical {
namespace {

// Porter's consonant: not a, e, i, o, u, and y only after a vowel or at the start.
bool consonant(const std::string& s, size_t i) {
  switch (s[i]) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return false;
    case 'y': return i == 0 || !consonant(s, i - 1);
    default: return true;
  }
}

// m, the number of vowel-consonant sequences in s[0, end): [C](VC){m}[V].
int measure(const std::string& s, size_t end) {
  int m = 0;
  size_t i = 0;
  while (i < end && consonant(s, i)) ++i;
  while (i < end) {
    while (i < end && !consonant(s, i)) ++i;
    if (i == end) break;
    while (i < end && consonant(s, i)) ++i;
    ++m;
  }
  return m;
}

bool has_vowel(const std::string& s, size_t end) {
  for (size_t i = 0; i < end; ++i)
    if (!consonant(s, i)) return true;
  return false;
}

bool ends(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && std::string_view(s).substr(s.size() - suffix.size()) == suffix;
}

// Ends consonant-vowel-consonant, the last not w, x or y ("hop", not "how").
bool cvc(const std::string& s) {
  const size_t n = s.size();
  return n >= 3 && consonant(s, n - 3) && !consonant(s, n - 2) && consonant(s, n - 1) && s[n - 1] != 'w' &&
         s[n - 1] != 'x' && s[n - 1] != 'y';
}

}  // namespace

void stem_word(std::string_view word, std::string& out) {
  out.assign(word);
  if (word.size() < 3 || !std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return;
  std::string& s = out;
  // Step 1a: plurals.
  if (ends(s, "sses") || ends(s, "ies")) {
    s.resize(s.size() - 2);
  } else if (!ends(s, "ss") && ends(s, "s") && s.size() > 3) {
    s.pop_back();
  }
  // Step 1b: -eed, -ed, -ing.
  if (ends(s, "eed")) {
    if (measure(s, s.size() - 3) > 0) s.pop_back();
  } else {
    size_t cut = 0;
    if (ends(s, "ed") && has_vowel(s, s.size() - 2)) cut = 2;
    else if (ends(s, "ing") && has_vowel(s, s.size() - 3)) cut = 3;
    if (cut) {
      s.resize(s.size() - cut);
      const size_t n = s.size();
      if (ends(s, "at") || ends(s, "bl") || ends(s, "iz")) {
        s.push_back('e');
      } else if (n >= 2 && s[n - 1] == s[n - 2] && consonant(s, n - 1) && s[n - 1] != 'l' && s[n - 1] != 's' &&
                 s[n - 1] != 'z') {
        s.pop_back();
      } else if (measure(s, n) == 1 && cvc(s)) {
        s.push_back('e');
      }
    }
  }
  // Step 1c: a final y after a vowel-bearing stem becomes i ("happy", "happier" agree).
  if (ends(s, "y") && has_vowel(s, s.size() - 1)) s.back() = 'i';
}

}  // namespace iccache::lexical
