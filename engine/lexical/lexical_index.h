// The lexical index: an inverted index over the terms of the table's request texts
// (lexical/featurizer.h), with IDF weights from the table's own texts (lexical/idf.h).
//
// Similarity is the cosine of TF-IDF vectors: a text's vector holds tf * idf per term,
// divided by its L2 norm; a document's normalised weights are stored as float, and a score
// is the sum over shared terms of q_t * w_t in float, added in a fixed term order (capped
// at 1), so the same query on the same contents always gives the same bits, whichever way
// the search went.
//
// Search is exact top-k with MaxScore-style pruning, term at a time: the query's postings
// lists are read in decreasing order of their largest possible contribution; once the
// k-th best partial score reaches what every unread list together could still add, no
// document outside those already seen can enter, and the seen documents that still can
// are finished by looking them up in the remaining lists. `min_lists` > 0 reads at least
// that many lists whole first; min_lists >= the query's term count reads every list whole
// (the exhaustive form, same scores).
//
// Layout (memory per posting: 4-byte slot + 4-byte weight): a sorted array of terms, each
// with its range in one postings arena and its largest weight; documents added since the
// last merge sit in small per-term lists and are folded into the arena when they reach an
// eighth of it (or when a bulk load ends), with removed documents dropped and the rest
// renumbered, so the flat part stays compact.
//
// The index is a cache: rebuilt from the stored texts (ext/) and kept up to date with
// add/remove. Not thread-safe for writes; search is const and safe from many threads.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "index/hit.h"
#include "index/tenant_dictionary.h"
#include "lexical/featurizer.h"
#include "lexical/idf.h"

namespace iccache::lexical {

class LexicalIndex {
 public:
  // The IDF counts are held through a shared pointer so that a second index scoring with
  // the same counts (a connection's overlay of uncommitted rows next to the process-wide
  // index, ext/index/lexical_cache.h) gives bit-identical weights without a copy.
  explicit LexicalIndex(IdfTable idf = {});
  explicit LexicalIndex(std::shared_ptr<const IdfTable> idf);
  LexicalIndex(LexicalIndex&&) = default;
  LexicalIndex& operator=(LexicalIndex&&) = default;

  const IdfTable& idf() const { return *idf_; }
  const std::shared_ptr<const IdfTable>& idf_ptr() const { return idf_; }
  size_t size() const { return ids_.size(); }
  // Postings lists (distinct terms indexed) and postings held, dead ones included.
  size_t lists() const { return term_keys_.size() + recent_only_terms_; }
  size_t postings() const { return postings_; }
  size_t memory_bytes() const;

  // Adds or replaces id; an empty `terms` (a text without words) is kept as a document
  // without terms: it matches nothing and is returned only to fill k.
  void add(int64_t id, std::string_view tenant, const std::vector<Term>& terms);
  bool remove(int64_t id);
  bool contains(int64_t id) const { return ids_.count(id) != 0; }
  // While on, adds never fold the recent postings into the flat part; turning it off folds
  // them once (a bulk load: one merge instead of one per eighth).
  void hold_merges(bool on);

  struct Stats {
    size_t lists_read = 0;       // lists essential at the end (read in full, less skipped blocks)
    size_t lists_total = 0;      // the query's terms that have a list
    size_t postings_read = 0;    // postings of essential lists visited
    size_t candidates = 0;       // documents scored completely
  };

  // Top-k by cosine, best first (ties: smaller id). When fewer than k documents share a
  // term with the query, the rest of k are filled with score-0 documents, smallest ids
  // first. `tenant` (optional) keeps only that tenant's documents; `skip` (optional) leaves
  // out those ids as if they were not indexed (a connection's own changed rows, searched
  // in its overlay instead).
  std::vector<index::Hit> search(const std::vector<Term>& query, int k, const std::string* tenant,
                                 int min_lists = 0, Stats* stats = nullptr,
                                 const std::unordered_set<int64_t>* skip = nullptr) const;

 private:
  // A term of the flat part: postings [begin, begin + count) of the arena, the largest weight.
  struct TermInfo {
    uint32_t begin = 0, count = 0;
    float max_w = 0;
  };
  // Postings added since the last merge (slots above every slot of the flat part).
  struct Recent {
    std::vector<uint32_t> slots;
    std::vector<float> w;
    float max_w = 0;  // an upper bound after removals
    float idf = 1;
  };
  const TermInfo* find_flat(uint32_t term) const;
  const Recent* find_recent(uint32_t term) const;
  void merge();

  std::shared_ptr<const IdfTable> idf_;
  std::vector<uint32_t> term_keys_;  // sorted
  std::vector<TermInfo> term_info_;  // parallel to term_keys_
  std::vector<uint32_t> slots_;      // postings arena: slot, increasing within a term
  std::vector<float> w_;             // normalised tf-idf weight
  std::unordered_map<uint32_t, Recent> recent_;
  size_t recent_postings_ = 0, recent_only_terms_ = 0;
  bool hold_merges_ = false;
  std::unordered_map<int64_t, uint32_t> ids_;  // live id -> slot
  std::vector<int64_t> slot_id_;                // slot -> id
  std::vector<int32_t> slot_tenant_;            // slot -> tenant (dictionary id)
  std::vector<uint8_t> dead_;                   // slot -> removed
  size_t n_dead_ = 0;
  size_t postings_ = 0;
  index::TenantDictionary tenants_;
  std::vector<Recent*> scratch_recent_;
};

}  // namespace iccache::lexical
