// The built-in embedder: deterministic signed feature hashing of word unigrams, word
// bigrams and character 3- to 5-grams (embed/text_features.h), with sublinear term frequency, L2-normalised.
// No model to download, identical output on every platform, and cheap (microseconds for
// a typical request). It captures lexical, not deep semantic, similarity; callers who need
// more pass their own vectors (embedder='none').
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embed/feature_counts.h"
#include "embed/text_features.h"

namespace iccache {

class HashEmbedder {
 public:
  // dim in [1, 4096]; throws iccache::Error otherwise.
  explicit HashEmbedder(int dim);

  int dim() const { return dim_; }

  // Only a text's first kMaxEmbedBytes are embedded (the whole text is stored elsewhere):
  // a 2 MB prefix holds some 300,000 words, and the bound keeps time and memory bounded for
  // any text (docs/reliability.md, limits).
  static constexpr size_t kMaxEmbedBytes = size_t{2} << 20;
  // Count-table keys per pass (see embed): bounds its memory to about 110 MB.
  static constexpr size_t kMaxKeysPerPass = size_t{6} << 20;

  // Writes dim() floats with unit L2 norm to `out`.
  // Throws iccache::Error when the text is not valid UTF-8 (message gives the byte offset)
  // or has no features (empty or only separators), since a zero vector has no direction.
  // Time and memory are linear in the text up to kMaxEmbedBytes and bounded beyond (about
  // 150 MB at most); what a text over ~1 MB needed is freed before returning.
  void embed(std::string_view text, float* out);

  std::vector<float> embed(std::string_view text) {
    std::vector<float> v(dim_);
    embed(text, v.data());
    return v;
  }

 private:
  int dim_;
  // Scratch reused across calls so the hot path does not allocate per call.
  void release_scratch();

  FeatureCounts counts_;
  TextFeatures features_;
};

}  // namespace iccache
