// Inverse document frequencies of the lexical index: term document frequencies counted on
// the table's own request texts at one moment (an IDF "epoch"), kept fixed until the next.
// Fixed, because a document's weights are normalised with them: weights that moved at
// every insert would make a stored document's score depend on when it was indexed.
//
// idf(term) = ln((1 + n) / (1 + df)) + 1, with n the texts counted and df those holding the
// term (the smoothed form: never zero, so a term in every text still counts a little).
// The count reads at most kSample texts evenly spread over the table; df is then scaled to
// the table (df * N / n). A term absent from the counts (new, or seen once in the sample:
// singletons are not kept) gets df = 1 in the sample's scale.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexical/featurizer.h"

namespace iccache::lexical {

class IdfTable {
 public:
  static constexpr size_t kSample = 16384;

  // No counts: every term has idf 1 (plain term-frequency cosine).
  IdfTable() = default;

  // Counts of `sampled` texts standing for a table of `table_n` texts; per_term: the terms
  // each sampled text holds (each once), in any order.
  class Counter {
   public:
    void add(const std::vector<Term>& terms);
    IdfTable finish(uint64_t table_n);

   private:
    std::vector<uint32_t> all_;
    uint64_t texts_ = 0;
  };

  bool empty() const { return sample_n_ == 0; }
  uint64_t table_n() const { return table_n_; }
  uint64_t sample_n() const { return sample_n_; }
  size_t terms() const { return df_.size(); }

  float idf(uint32_t term) const;

  // The Featurizer::kVersion whose terms were counted (1: parsed from a file written before
  // stemming, whose terms a search no longer yields; such counts are taken again).
  int terms_version() const { return terms_version_; }

  // Stored form: "IDF" and the terms version as one digit ("IDF2"; "IDF1" is read), table_n
  // and sample_n (8 bytes each), then (term, df) pairs of 4 bytes each, little-endian,
  // sorted by term. parse() throws iccache::Error on anything else.
  std::string serialize() const;
  static IdfTable parse(std::string_view bytes);

  size_t memory_bytes() const { return df_.capacity() * sizeof(df_[0]); }

 private:
  uint64_t table_n_ = 0, sample_n_ = 0;
  int terms_version_ = Featurizer::kVersion;
  std::vector<std::pair<uint32_t, uint32_t>> df_;  // sorted by term, df >= 2
};

}  // namespace iccache::lexical
