// Selection's in-memory state for one table on one connection: the utility model and the
// threshold tuner, a cache of the stored select_model / select_tuner validated by the
// 'select_generation' nonce (its own key, so feedback never reloads the vector index or the
// router). ROLLBACK, ROLLBACK TO and another connection's commit change the stored nonce and
// the next use reloads. Also the candidate cache (candidate_cache.h: the attributes stage 2
// scores, stage2.h) that MATCH and iccache_route share, reading rows through the store, and
// pointed at the per-example attribute caches the store follows (follow_attributes), so a
// foreign write or feedback costs only the rows it changed.
#pragma once
#include "common/nonce_cache.h"
#include "common/stat_rows.h"
#include "select/candidate_cache.h"
#include "select/select_store.h"
#include "select/stage2.h"
#include "select/threshold_tuner.h"
#include "select/utility_model.h"

namespace iccache::select {

class SelectState : public NonceCache<SelectStore> {
 public:
  // Not copied: `candidates` reads through this state's store.
  SelectState(const SelectState&) = delete;
  SelectState& operator=(const SelectState&) = delete;
  SelectState(std::unique_ptr<SelectStore> store, const TableOptions& options, std::string table,
              std::mt19937_64& nonce);

  UtilityModel model;
  ThresholdTuner tuner;
  CandidateCache candidates;

  // Reloads the model and the tuner from the store when the stored nonce differs from ours.
  // Throws CorruptData when either blob does not parse.
  void refresh();
  // The tuner's utility threshold for this request (stage2.h choose_threshold).
  ThresholdChoice choose(const float* request) const;
  // Points `candidates` at the attribute caches serving a statement that sees index
  // generation g (SelectStore::follow_attributes).
  void follow_attributes(int64_t g) { store().follow_attributes(candidates, g); }
};

// Selection's rows of iccache_stats (select_stats.cpp): the mode, the threshold in force and
// where it comes from, the tuner's evidence per grid threshold, and the utility model.
void select_stats(SelectState& ss, StatRows& out);

}  // namespace iccache::select
