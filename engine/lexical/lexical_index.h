// The lexical index: an inverted index over the terms of the table's request texts
// (lexical/featurizer.h), with IDF weights from the table's own texts (lexical/idf.h).
//
// Similarity is the cosine of TF-IDF vectors: a text's vector holds tf * idf per term,
// divided by its L2 norm; a document's normalised weights are stored as float, and a score
// is the sum over shared terms of q_t * w_t in float, added in a fixed term order (capped
// at 1), so the same query on the same contents always gives the same bits, whichever way
// the search went.
//
// Search (lexical_search.cpp) reads postings in decreasing order of what they add to a
// score ("score at a time"): each list is sorted by weight, largest first, and the search
// takes the next block from the list whose next posting adds most, summing partial scores.
// Every unread posting adds at most its list's next weight, so once the k-th best partial
// score exceeds what a document outside the kRescorePerK * k + kRescoreExtra best partial
// scores could still reach (its partial score plus the sum of those next contributions),
// no such document can enter the top k; the best partial scores are then scored in full
// from their own terms (a forward index, below), in the fixed order, and the k best kept.
// That is exact. By default the search also stops after a budget of postings that grows with
// the square root of the number of documents (kBudgetScale): past it, only documents
// already seen are scored, so the answer can miss a document every one of whose shared
// terms sits deep in a long list; on 116k real sentences recall@10 against the exhaustive
// answer stays above 0.99 (docs/performance.md). `min_lists` > 0 reads at least that many
// lists whole first; min_lists >= the query's term count reads every list whole (the
// exhaustive form, same scores, no budget).
//
// Layout (memory per posting: 4-byte slot + 4-byte weight in the postings, 4-byte term +
// 4-byte weight in the forward index): a sorted array of terms, each with its range in one
// postings arena and its largest weight; documents added since the last merge sit in small
// per-term lists (in slot order, read whole by every search) and are folded into the arena
// when they reach an eighth of it (or when a bulk load ends), with removed documents
// dropped and the rest renumbered, so the flat part stays compact. The forward index holds
// each document's terms (sorted) and weights, in slot order.
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
  // index, lexical_cache.h) gives bit-identical weights without a copy.
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
    size_t lists_read = 0;       // lists read to their end
    size_t lists_total = 0;      // the query's terms that have a list
    size_t postings_read = 0;    // postings visited
    size_t candidates = 0;       // documents scored completely from the forward index
    bool budget_hit = false;     // stopped by the postings budget
    bool approximate = false;    // the answer may differ from the exhaustive one
  };

  // Documents scored in full by a pruned search: the kRescorePerK * k + kRescoreExtra best
  // partial scores.
  static constexpr size_t kRescorePerK = 4, kRescoreExtra = 16;

  // The postings budget of a pruned search: kBudgetScale * sqrt(documents), at least
  // kBudgetMin. A scale of 0 turns it off (an exact pruned search); for tests and
  // measurements.
  static constexpr double kBudgetScale = 32.0;
  static constexpr size_t kBudgetMin = 8192;
  void set_budget(double scale, size_t min = kBudgetMin) {
    budget_scale_ = scale;
    budget_min_ = min;
  }
  size_t budget() const;

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
  // The query's terms for scoring a document in full: keys sorted, each with its list rank
  // and weight, and a bitmap of their low bits that turns most of a document's terms away
  // before any search.
  struct QueryKeys {
    std::vector<uint32_t> keys, rank;
    std::vector<float> q;  // by rank
    uint64_t bits[64] = {};
    static uint32_t bit(uint32_t term) { return (term >> 2) & 4095; }
  };
  // The document in `slot`'s weights for the query's terms summed in rank order: the bits
  // a full read of the lists in rank order gives. `contrib`: L zeros, left zeroed.
  float full_score(uint32_t slot, const QueryKeys& qk, float* contrib) const;

  std::shared_ptr<const IdfTable> idf_;
  std::vector<uint32_t> term_keys_;  // sorted
  std::vector<TermInfo> term_info_;  // parallel to term_keys_
  std::vector<uint32_t> slots_;      // postings arena: within a term by weight desc, then slot
  std::vector<float> w_;             // normalised tf-idf weight
  std::vector<uint32_t> fwd_begin_{0};  // slot -> its range [fwd_begin_[s], fwd_begin_[s + 1])
  // Forward index: a slot's terms, increasing, with their weights (the postings' bits),
  // side by side so that scoring a document reads a few adjacent cache lines.
  struct Fwd {
    uint32_t term;
    float w;
  };
  std::vector<Fwd> fwd_;
  double budget_scale_ = kBudgetScale;
  size_t budget_min_ = kBudgetMin;
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
