#include "embed/hash_embedder.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/utf8.h"
#include "vector/vector_parse.h"

namespace iccache {
namespace {

// Weights per type. Word unigrams carry the meaning; bigrams add word order but are sparser
// (a paraphrase rarely keeps them), so they count a bit less. Character n-grams exist to
// match inflections and typos, and a word yields many of them (12 for a five-letter word:
// five 3-grams, four 4-grams, three 5-grams), so each gets a small constant weight: at 0.25
// a five-letter word's n-grams hold 12 * 0.25^2 = 0.75 of L2 energy, less than its unigram's
// 1.0. The weight is constant rather than scaled per word so a shared n-gram counts the
// same whichever word it came from.
constexpr double kTypeWeight[] = {1.0, 0.7, 0.25};

// Bits 2..62 choose the bucket, bit 63 the sign, so the two are independent.
size_t bucket_of(uint64_t key, int dim) {
  return static_cast<size_t>(((key & ~(1ULL << 63)) >> 2) % static_cast<uint64_t>(dim));
}
float sign_of(uint64_t key) { return (key >> 63) ? -1.0f : 1.0f; }

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
  const size_t n_words = features_.split(text);
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
    return features_.for_each(n_words, [&](uint64_t key) {
      if (mine(key, part)) counts_[key] += 1.0f;
      return !capped || counts_.size() <= kMaxKeysPerPass;
    });
  };
  const auto add_part = [&](size_t part) {
    features_.for_each(n_words, [&](uint64_t key) {
      if (!mine(key, part)) return true;
      float& count = counts_[key];
      if (count == 0.0f) return true;  // already added at its first occurrence
      // Sublinear term frequency: a repeated feature gains, but not in proportion.
      const double tf = 1.0 + std::log(static_cast<double>(count));
      out[bucket_of(key, dim_)] +=
          sign_of(key) * static_cast<float>(tf * kTypeWeight[TextFeatures::type_of(key)]);
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
  features_.release_scratch(kKeepBytes);
  counts_.release_if_over(kKeepBytes);
}

}  // namespace iccache
