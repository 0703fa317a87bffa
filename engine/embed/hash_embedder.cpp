#include "embed/hash_embedder.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/utf8.h"
#include "vector/vector_parse.h"

namespace iccache {
namespace {

// Feature types live in the low two bits of a feature key, so features of different types
// never share a key and the weight of a key is known without a side table.
enum FeatureType : uint64_t { kUnigram = 0, kBigram = 1, kCharGram = 2 };
constexpr uint64_t kTypeMask = 3;

// Weights per type. Word unigrams carry the meaning; bigrams add word order but are sparser
// (a paraphrase rarely keeps them), so they count a bit less. Character n-grams exist to
// match inflections and typos, and a word yields many of them (12 for a five-letter word:
// five 3-grams, four 4-grams, three 5-grams), so each gets a small constant weight: at 0.25
// a five-letter word's n-grams hold 12 * 0.25^2 = 0.75 of L2 energy, less than its unigram's
// 1.0. The weight is constant rather than scaled per word so a shared n-gram counts the
// same whichever word it came from.
constexpr double kTypeWeight[] = {1.0, 0.7, 0.25};

constexpr int kMinCharGram = 3;
constexpr int kMaxCharGram = 5;

// FNV-1a 64 over bytes: fixed, byte-oriented, so identical on every platform.
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

constexpr uint64_t fnv1a(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// splitmix64 finaliser: FNV's low bits mix poorly, and the bucket is taken modulo dim.
constexpr uint64_t mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

// Per-type starting states, so equal strings of different types hash apart.
constexpr uint64_t seed(FeatureType type) { return kFnvOffset ^ mix(type + 1); }
constexpr uint64_t kUnigramSeed = seed(kUnigram);
constexpr uint64_t kBigramSeed = seed(kBigram);
constexpr uint64_t kCharGramSeed = seed(kCharGram);

uint64_t make_key(uint64_t fnv_state, FeatureType type) {
  return (mix(fnv_state) & ~kTypeMask) | type;
}

// Bits 2..62 choose the bucket, bit 63 the sign, so the two are independent.
size_t bucket_of(uint64_t key, int dim) {
  return static_cast<size_t>(((key & ~(1ULL << 63)) >> 2) % static_cast<uint64_t>(dim));
}
float sign_of(uint64_t key) { return (key >> 63) ? -1.0f : 1.0f; }

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

// Byte length of the UTF-8 sequence led by `lead` (the text is already validated).
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// A word of the folded text: folded[begin, end).
using WordSpan = std::pair<uint32_t, uint32_t>;

// Calls f(key) for every feature occurrence, in text order. Each word's n-grams are taken
// from the word wrapped in boundary markers ("<word>", built in `wrapped`), so they see
// where it starts and ends; unigrams and bigrams hash the bare word.
// Stops early, returning the number of words read, when f returns false.
template <class F>
size_t for_each_feature(const std::string& folded, const std::vector<WordSpan>& words, size_t n_words,
                        std::string& wrapped, F&& f) {
  const auto bare = [&](size_t i) {
    return std::string_view(folded).substr(words[i].first, words[i].second - words[i].first);
  };
  for (size_t w = 0; w < n_words; ++w) {
    bool go = f(make_key(fnv1a(bare(w), kUnigramSeed), kUnigram));
    if (w + 1 < n_words) {
      const uint64_t h = fnv1a(" ", fnv1a(bare(w), kBigramSeed));
      go &= f(make_key(fnv1a(bare(w + 1), h), kBigram));
    }
    wrapped.assign(1, '<');
    wrapped.append(bare(w));
    wrapped.push_back('>');
    const std::string_view wv = wrapped;
    for (size_t start = 0; start < wv.size(); start += sequence_length(wv[start])) {
      size_t end = start;
      for (int n = 1; n <= kMaxCharGram && end < wv.size(); ++n) {
        end += sequence_length(wv[end]);
        if (n >= kMinCharGram) {
          go &= f(make_key(fnv1a(wv.substr(start, end - start), kCharGramSeed), kCharGram));
        }
      }
    }
    if (!go) return w + 1;
  }
  return n_words;
}

// Case-folds `text` into `folded` with separators turned into spaces, then lists its words
// in `words` (offsets into `folded`: 8 bytes a word, not a string each); returns their count.
size_t split_words(std::string_view text, std::string& folded, std::vector<WordSpan>& words) {
  folded.clear();
  folded.reserve(text.size());
  for (size_t pos = 0, len = 0; pos < text.size(); pos += len) {
    const char32_t cp = utf8::decode(text, pos, &len);
    utf8::append(folded, is_word_char(cp) ? fold_case(cp) : U' ');
  }
  words.clear();
  for (size_t pos = 0; pos < folded.size();) {
    const size_t begin = folded.find_first_not_of(' ', pos);
    if (begin == std::string::npos) break;
    const size_t end = std::min(folded.find(' ', begin), folded.size());
    words.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
    pos = end;
  }
  return words.size();
}

void normalize(float* out, int dim) {
  double sum_sq = 0.0;
  for (int i = 0; i < dim; ++i) sum_sq += static_cast<double>(out[i]) * out[i];
  if (sum_sq == 0.0) {
    // Signed features cancelled exactly, only plausible at a tiny dim; any fixed unit
    // direction is as good as another there.
    out[0] = 1.0f;
    return;
  }
  const double norm = std::sqrt(sum_sq);
  for (int i = 0; i < dim; ++i) out[i] = static_cast<float>(out[i] / norm);
}

}  // namespace

HashEmbedder::HashEmbedder(int dim) : dim_(dim) {
  if (dim < 1 || dim > kMaxDim) {
    throw Error("hash embedder dimension " + std::to_string(dim) +
                " is not valid; expected an integer from 1 to " + std::to_string(kMaxDim));
  }
}

void HashEmbedder::embed(std::string_view text, float* out) {
  const size_t bad = utf8::first_invalid(text);
  if (bad != text.size()) {
    throw Error("is not valid UTF-8 (invalid byte at offset " + std::to_string(bad) +
                "); expected UTF-8 text");
  }
  // Only the first kMaxEmbedBytes count (cut at a character boundary): memory and time then
  // stay bounded for any text, and the stored text is whole (docs/reliability.md, limits).
  if (text.size() > kMaxEmbedBytes) {
    size_t cut = kMaxEmbedBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  const size_t n_words = split_words(text, folded_, words_);
  if (n_words == 0) {
    release_scratch();
    throw Error("has no words to embed; expected non-empty text");
  }

  // Two passes in text order rather than iterating counts_: the map's iteration order
  // depends on its bucket history, and float sums depend on order, so this keeps the
  // output bit-identical across calls and instances.
  // A text with more distinct features than kMaxKeysPerPass (only near kMaxEmbedBytes,
  // and only text with few repeated n-grams) is counted in `parts` passes instead, each over the
  // features whose key falls in its part, so the count table stays around 50 MB whatever
  // the text: memory linear in the text with a small constant, time linear with a few
  // passes. Which way a text goes depends on the text only, so results stay deterministic.
  size_t parts = 1;
  const auto mine = [&](uint64_t key, size_t part) { return parts == 1 || (key >> 2) % parts == part; };
  const auto count_part = [&](size_t part, bool capped) {
    counts_.reset(1024);
    return for_each_feature(folded_, words_, n_words, wrapped_, [&](uint64_t key) {
      if (mine(key, part)) counts_[key] += 1.0f;
      return !capped || counts_.size() <= kMaxKeysPerPass;
    });
  };
  const auto add_part = [&](size_t part) {
    for_each_feature(folded_, words_, n_words, wrapped_, [&](uint64_t key) {
      if (!mine(key, part)) return true;
      float& count = counts_[key];
      if (count == 0.0f) return true;  // already added at its first occurrence
      // Sublinear term frequency: a repeated feature gains, but not in proportion.
      const double tf = 1.0 + std::log(static_cast<double>(count));
      out[bucket_of(key, dim_)] +=
          sign_of(key) * static_cast<float>(tf * kTypeWeight[key & kTypeMask]);
      count = 0.0f;
      return true;
    });
  };
  std::fill(out, out + dim_, 0.0f);
  const size_t read = count_part(0, true);
  if (read == n_words && counts_.size() <= kMaxKeysPerPass) {
    add_part(0);
  } else {
    // Distinct features seen so far, scaled to the whole text, in parts of at most half
    // the cap (the estimate is rough; the table grows if a part holds more).
    const double estimate = static_cast<double>(counts_.size()) * n_words / std::max<size_t>(read, 1);
    parts = std::max<size_t>(2, static_cast<size_t>(std::ceil(1.25 * estimate / kMaxKeysPerPass)));
    for (size_t part = 0; part < parts; ++part) {
      count_part(part, false);
      add_part(part);
    }
  }
  release_scratch();
  normalize(out, dim_);
}

void HashEmbedder::release_scratch() {
  // Scratch sized for a typical request is kept (no allocation per call); what a long text
  // needed goes back at once rather than staying with the connection.
  constexpr size_t kKeepBytes = 1 << 20;
  if (folded_.capacity() > kKeepBytes) std::string().swap(folded_);
  if (words_.capacity() * sizeof(WordSpan) > kKeepBytes) std::vector<WordSpan>().swap(words_);
  if (wrapped_.capacity() > kKeepBytes) std::string().swap(wrapped_);
  counts_.release_if_over(kKeepBytes);
}

}  // namespace iccache
