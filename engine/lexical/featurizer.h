// The terms of a text for the lexical index: the features of embed/text_features.h (word
// unigrams, word bigrams; character 3- to 5-grams when weighted) of the text's words after
// light stemming (lexical/stemmer.h: plurals, -ed, -ing), each reduced to a 32-bit term
// and weighted by its type and its saturated count in the text, c (k1 + 1) / (c + k1) with
// k1 = 1.2 (BM25's term-frequency curve: 1 for one occurrence, 1.375 for two, never over
// 2.2), so a repeated word cannot outweigh the words a paraphrase shares. The hash
// embedder reads the same features of the unstemmed words.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "embed/feature_counts.h"
#include "embed/text_features.h"

namespace iccache::lexical {

// A term of a text: the 32-bit feature (type in the low two bits, never 3) and its weight
// before IDF.
struct Term {
  uint32_t term;
  float tf;
};

// Weight of each feature type (before IDF and normalisation). Words carry the meaning,
// bigrams word order (a paraphrase keeps fewer of them, so they count less). Character
// n-grams are off by default: on MRPC and GPTCache paraphrase pairs among ~8k distractors
// they changed recall@1 by under half a point either way (bench/lexical_bench), while
// multiplying the postings six-fold (177 instead of 29 per sentence) and the search time
// with them. The hash embedder keeps them (its dense vector has no IDF to lean on).
struct TermWeights {
  float unigram = 1.0f;
  float bigram = 0.7f;
  float chargram = 0.0f;
};

// The 32-bit term of a 64-bit feature key: its high half with the type bits of the key.
inline uint32_t term_of(uint64_t key) {
  return (static_cast<uint32_t>(key >> 32) & ~uint32_t{3}) | static_cast<uint32_t>(key & 3);
}

class Featurizer {
 public:
  explicit Featurizer(TermWeights w = {}) : w_(w) {}

  // Which terms a text yields: stored IDF counts name the version they were counted with,
  // and counts of another version are counted again (lexical_follower.h stored_idf).
  // 1: words as written, tf 1 + ln count. 2: stemmed words, saturated tf.
  static constexpr int kVersion = 2;
  // BM25's k1: how fast repeated occurrences stop adding weight.
  static constexpr float kTfSaturation = 1.2f;

  // Only a text's first kMaxBytes count (cut at a character boundary): the match of a
  // request against a long document is decided by its beginning, and a query must not
  // hash megabytes.
  static constexpr size_t kMaxBytes = 16384;

  // The terms of `text`, sorted by term, each once. Empty when the text has no words or is
  // not valid UTF-8 (callers validate requests; the embedder already did).
  void terms(std::string_view text, std::vector<Term>& out);

 private:
  TermWeights w_;
  TextFeatures features_;
  FeatureCounts counts_;
  std::vector<uint64_t> keys_;
  std::string stem_;
};

}  // namespace iccache::lexical
