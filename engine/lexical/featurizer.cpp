#include "lexical/featurizer.h"

#include <algorithm>

#include "common/utf8.h"
#include "lexical/stemmer.h"

namespace iccache::lexical {

void Featurizer::terms(std::string_view text, std::vector<Term>& out) {
  out.clear();
  if (text.size() > kMaxBytes) {
    size_t cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  // Stored texts were validated when written; a damaged one matches nothing rather than
  // being read past its bytes.
  if (utf8::first_invalid(text) != text.size()) return;
  const size_t n_words = features_.split(text);
  if (n_words == 0) return;
  features_.rewrite_words([](std::string_view word, std::string& out) { stem_word(word, out); });
  // Counted by 32-bit term (two keys sharing a term are one term), in first-seen order.
  counts_.reset(16 * n_words);
  keys_.clear();
  features_.for_each(n_words, [&](uint64_t key) {
    float& c = counts_[term_of(key)];
    if (c == 0.0f) keys_.push_back(term_of(key));
    c += 1.0f;
    return true;
  }, w_.chargram > 0.0f);
  const float type_weight[] = {w_.unigram, w_.bigram, w_.chargram, 0.0f};
  out.reserve(keys_.size());
  for (uint64_t t : keys_) {
    const float w = type_weight[t & 3];
    if (w <= 0.0f) continue;
    const float c = counts_[t];
    out.push_back(Term{static_cast<uint32_t>(t), w * (c * (kTfSaturation + 1.0f) / (c + kTfSaturation))});
  }
  std::sort(out.begin(), out.end(), [](const Term& a, const Term& b) { return a.term < b.term; });
  if (counts_.size() > 65536) counts_.release_if_over(0);
  features_.release_scratch(1 << 20);
}

}  // namespace iccache::lexical
