// The built-in embedder: deterministic signed feature hashing of word unigrams, word
// bigrams and character 3- to 5-grams, with sublinear term frequency, L2-normalised.
// No model to download, identical output on every platform, and cheap (microseconds for
// a typical request). It captures lexical, not deep semantic, similarity; callers who need
// more pass their own vectors (embedder='none').
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embed/feature_counts.h"

namespace iccache {

class HashEmbedder {
 public:
  // dim in [1, 4096]; throws iccache::Error otherwise.
  explicit HashEmbedder(int dim);

  int dim() const { return dim_; }

  // Writes dim() floats with unit L2 norm to `out`.
  // Throws iccache::Error when the text is not valid UTF-8 (message gives the byte offset)
  // or has no features (empty or only separators), since a zero vector has no direction.
  void embed(std::string_view text, float* out);

  std::vector<float> embed(std::string_view text) {
    std::vector<float> v(dim_);
    embed(text, v.data());
    return v;
  }

 private:
  int dim_;
  // Scratch reused across calls so the hot path does not allocate per call.
  FeatureCounts counts_;
  std::vector<std::string> words_;
  std::string folded_;
};

}  // namespace iccache
