// The features of a text, written once for every consumer: the hash embedder folds them
// into a dense signed vector (hash_embedder.h), the lexical index keeps them as postings
// (lexical/lexical_index.h). A text is case-folded, split into words at separators, and
// yields, in text order, each word (unigram), each pair of adjacent words (bigram) and each
// character 3- to 5-gram of the word wrapped in boundary markers ("<word>"). A feature is a
// 64-bit key: a hash of its bytes with the feature type in the low two bits (never 3), so
// features of different types never share a key.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iccache {

class TextFeatures {
 public:
  enum Type : uint64_t { kUnigram = 0, kBigram = 1, kCharGram = 2 };
  static constexpr uint64_t kTypeMask = 3;
  static Type type_of(uint64_t key) { return static_cast<Type>(key & kTypeMask); }

  static constexpr int kMinCharGram = 3;
  static constexpr int kMaxCharGram = 5;

  // Case-folds `text` (valid UTF-8: the caller checks) and splits it into words; returns
  // their count. The words stay in this object until the next call.
  size_t split(std::string_view text);

  // Replaces each word of the last split() by f(word, out) (out: the new word, non-empty),
  // for consumers that normalise words before their features are taken (the lexical index
  // stems them); the hash embedder does not call it.
  template <class F>
  void rewrite_words(F&& f);

  // Calls f(key) for every feature occurrence of the first n_words words (n_words <= the
  // count split() returned), in text order. Stops early, returning the number of words
  // read, when f returns false. `chargrams` false leaves out the character n-grams.
  template <class F>
  size_t for_each(size_t n_words, F&& f, bool chargrams = true);

  // Frees scratch arrays over `keep_bytes` (after a long text), keeps the others.
  void release_scratch(size_t keep_bytes);

  // FNV-1a 64 over bytes: fixed, byte-oriented, so identical on every platform.
  static constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
  static constexpr uint64_t fnv1a(std::string_view bytes, uint64_t h) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  }
  // splitmix64 finaliser: FNV's low bits mix poorly, and consumers take keys modulo sizes.
  static constexpr uint64_t mix(uint64_t h) {
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
  }

 private:
  // Per-type starting states, so equal strings of different types hash apart.
  static constexpr uint64_t seed(Type type) { return kFnvOffset ^ mix(type + 1); }
  static uint64_t make_key(uint64_t fnv_state, Type type) { return (mix(fnv_state) & ~kTypeMask) | type; }
  // Byte length of the UTF-8 sequence led by `lead` (the text is already validated).
  static size_t sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
  }
  std::string_view bare(size_t i) const {
    return std::string_view(folded_).substr(words_[i].first, words_[i].second - words_[i].first);
  }

  std::string folded_;                               // the folded text, separators as spaces
  std::vector<std::pair<uint32_t, uint32_t>> words_;  // [begin, end) of each word in folded_
  std::string wrapped_;                               // "<word>" of the word being read
  std::string rewritten_, word_;                      // rewrite_words scratch
};

template <class F>
void TextFeatures::rewrite_words(F&& f) {
  // The new words go to a second buffer (bare(i) still reads the old one), then swap.
  rewritten_.clear();
  for (size_t i = 0; i < words_.size(); ++i) {
    f(bare(i), word_);
    const auto at = static_cast<uint32_t>(rewritten_.size());
    rewritten_.append(word_);
    rewritten_.push_back(' ');
    words_[i] = {at, at + static_cast<uint32_t>(word_.size())};
  }
  folded_.swap(rewritten_);
}

template <class F>
size_t TextFeatures::for_each(size_t n_words, F&& f, bool chargrams) {
  // Each word's n-grams are taken from the word wrapped in boundary markers, so they see
  // where it starts and ends; unigrams and bigrams hash the bare word.
  for (size_t w = 0; w < n_words; ++w) {
    bool go = f(make_key(fnv1a(bare(w), seed(kUnigram)), kUnigram));
    if (w + 1 < n_words) {
      const uint64_t h = fnv1a(" ", fnv1a(bare(w), seed(kBigram)));
      go &= f(make_key(fnv1a(bare(w + 1), h), kBigram));
    }
    if (!chargrams) {
      if (!go) return w + 1;
      continue;
    }
    wrapped_.assign(1, '<');
    wrapped_.append(bare(w));
    wrapped_.push_back('>');
    const std::string_view wv = wrapped_;
    for (size_t start = 0; start < wv.size(); start += sequence_length(wv[start])) {
      size_t end = start;
      for (int n = 1; n <= kMaxCharGram && end < wv.size(); ++n) {
        end += sequence_length(wv[end]);
        if (n >= kMinCharGram) go &= f(make_key(fnv1a(wv.substr(start, end - start), seed(kCharGram)), kCharGram));
      }
    }
    if (!go) return w + 1;
  }
  return n_words;
}

}  // namespace iccache
