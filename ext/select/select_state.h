// Selection's in-memory state for one table on one connection: the utility model and the
// threshold tuner, a cache of T_state's select_model / select_tuner validated by the
// 'select_generation' nonce (its own key, so feedback never reloads the vector index or the
// router). ROLLBACK, ROLLBACK TO and another connection's commit change the stored nonce and
// the next use reloads. Also the pair scorer that MATCH and iccache_route share: it reads a
// candidate's row and turns it into features and a utility, reusing its buffers.
//
// Scoring attributes of examples (quality, model cost, bytes, uses, offloads, created_at
// and the request's word/number sets) are cached per id after their first read: an SQL
// point lookup costs about a microsecond, 50 of them more than the whole stage-1 search.
// The cache is valid while both the index's 'generation' (every INSERT, UPDATE, DELETE) and
// 'select_generation' are what it was filled under; example feedback (which changes uses and
// offloads) writes a new select_generation and, on this connection, forgets just the
// examples it changed (select_examples_changed in select_feedback.h).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "select/threshold_tuner.h"
#include "select/utility_features.h"
#include "select/utility_model.h"
#include "ext/select/select_store.h"

namespace iccache::ext {

struct Table;

// The threshold that serves one request.
struct ThresholdChoice {
  double threshold = 0;
  int index = -1;       // grid index, -1 when pinned by the threshold option
  bool explored = false;
};

struct SelectState {
  explicit SelectState(Table& t);

  Table& table;
  SelectStore store;
  select::UtilityModel model;
  select::ThresholdTuner tuner;
  bool loaded = false;
  int64_t generation = 0;

  // Reloads from the file when the stored nonce differs from ours. index_generation: the
  // index's generation when the caller has just read it (MATCH, after ensure_index), else
  // nullopt and it is read here.
  void refresh(std::optional<int64_t> index_generation = std::nullopt);
  // A fresh random nonce for the next write (adopted only once the write succeeded).
  int64_t next_generation();
  ThresholdChoice choose(const float* request) const;

  // Scoring: set the request once (text may be empty: lexical features off), then score
  // candidates. score() returns false when the example no longer exists.
  void set_request(std::string_view text, bool has_text, double now);
  bool features(int64_t id, double similarity, select::FeatureVec& out);
  // The example's quality as last read by features().
  double last_quality() const { return last_quality_; }
  // A key of the example's request text (equal texts, equal keys); nullopt when it is gone.
  std::optional<uint64_t> text_key(int64_t id);
  // Drops cached attributes of these examples (their statistics changed on this connection).
  void forget(std::span<const int64_t> ids);

 private:
  struct Cached {
    select::PairInputs in;  // similarity and age filled per pair
    double created_at = 0;
    uint64_t text_key = 0;
    bool has_tokens = false;
    select::TokenSet tokens;
  };
  // Entries (about 560 bytes each with a request's token sets, 160 without): at most
  // ~70 MB per connection; cleared wholesale when reached.
  static constexpr size_t kCacheLimit = size_t{1} << 17;

  double relative_cost(std::string_view model) const;
  Cached* cached(int64_t id);
  std::unordered_map<int64_t, Cached> cache_;
  int64_t cache_generation_ = -1;  // index generation the cache was filled under

  select::TokenSet request_tokens_, example_tokens_;
  bool has_text_ = false;
  double now_ = 0;
  double max_cost_ = 1;
  double last_quality_ = 0;
};

// The selection state of table t, created on first use and refreshed against the nonce.
SelectState& select_state(Table& t, std::optional<int64_t> index_generation = std::nullopt);

}  // namespace iccache::ext
