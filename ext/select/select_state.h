// Selection's in-memory state for one table on one connection: the utility model and the
// threshold tuner, a cache of T_state's select_model / select_tuner validated by the
// 'select_generation' nonce (its own key, so feedback never reloads the vector index or the
// router). ROLLBACK, ROLLBACK TO and another connection's commit change the stored nonce and
// the next use reloads. Also the candidate cache (engine/select/candidate_cache.h: the
// attributes stage 2 scores, engine/select/stage2.h) that MATCH and iccache_route share,
// reading rows through SelectStore, and its access to the per-example
// attribute cache: shared per process and followed per changed row from the change log
// (select_attributes.h), so a foreign write or feedback costs only the rows it changed.
#pragma once
#include <cstdint>
#include <optional>

#include "select/candidate_cache.h"
#include "select/stage2.h"
#include "select/threshold_tuner.h"
#include "select/utility_model.h"
#include "ext/select/select_attributes.h"
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

  // Reloads the model and the tuner from the file when the stored nonce differs from ours.
  void refresh();
  // A fresh random nonce for the next write (adopted only once the write succeeded).
  int64_t next_generation();
  // The tuner's utility threshold for this request (engine/select/stage2.h choose_threshold).
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
  AttributeView attributes;           // which attribute caches `candidates` uses
};

// The selection state of table t, created on first use and refreshed against the nonce.
SelectState& select_state(Table& t);
// The same, with `candidates` pointed at the attribute caches that serve this statement
// (AttributeView::prepare). index_generation: the index's generation when the caller has
// just read it (MATCH, after the search), else nullopt and it is read here.
SelectState& scoring_state(Table& t, std::optional<int64_t> index_generation = std::nullopt);

}  // namespace iccache::ext
