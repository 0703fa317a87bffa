// Selection's in-memory state for one table on one connection: the utility model and the
// threshold tuner, a cache of T_state's select_model / select_tuner validated by the
// 'select_generation' nonce (its own key, so feedback never reloads the vector index or the
// router). ROLLBACK, ROLLBACK TO and another connection's commit change the stored nonce and
// the next use reloads. Also the candidate attribute cache (engine/select/candidate_cache.h)
// that MATCH and iccache_route share, reading rows through SelectStore.
//
// The attribute cache is valid while both the index's 'generation' (every INSERT, UPDATE,
// DELETE) and 'select_generation' are what it was filled under; example feedback (which
// changes uses and offloads) writes a new select_generation and, on this connection,
// forgets just the examples it changed (select_examples_changed in select_feedback.h).
#pragma once
#include <cstdint>
#include <optional>

#include "select/candidate_cache.h"
#include "select/stage2.h"
#include "select/threshold_tuner.h"
#include "select/utility_model.h"
#include "ext/select/select_store.h"

namespace iccache::ext {

struct Table;

struct SelectState {
  explicit SelectState(Table& t);
  SelectState(const SelectState&) = delete;
  SelectState& operator=(const SelectState&) = delete;

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
  select::ThresholdChoice choose(const float* request) const;

 private:
  // Reads candidates' rows for the cache.
  struct Rows : select::CandidateSource {
    explicit Rows(SelectStore& s) : store(s) {}
    bool read(int64_t id, bool with_text, select::CandidateRow& out) override {
      return store.candidate(id, with_text, out);
    }
    SelectStore& store;
  };
  Rows rows_;

 public:
  select::CandidateCache candidates;  // after rows_, which it reads through
};

// The selection state of table t, created on first use and refreshed against the nonce.
SelectState& select_state(Table& t, std::optional<int64_t> index_generation = std::nullopt);

}  // namespace iccache::ext
