// The write of a background training without holding the write lock for long (the two rows
// tables: ext/index/index_store.h). With the training lock row held and the result computed:
//   1. the rows table not in use is emptied (a killed training's rows), then the
//      snapshot's rows are written into it with the new training, in transactions of
//      about kBatchSeconds each, each followed by a pause as long, so that the writers,
//      which go on with the table in use, wait at most about one batch;
//   2. the examples written since the snapshot (change log) are applied to it in such
//      transactions too, in rounds, until few are left;
//   3. one short transaction applies the last of them, stores the centroids, SQ8 ranges and
//      tuning, switches to it and logs a new epoch;
//   4. (clear_rows_table, after) the table no longer in use is emptied in small
//      transactions; then the lock row is deleted (training_run.h).
// Every transaction first checks the epoch: when it moved (an 'optimize' elsewhere), the
// result is dropped and the rows written so far are deleted. A kill at any point leaves the
// table in use and the training it goes with untouched; the other table's rows are ignored
// until the next training empties it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "index/training_status.h"
#include "index/training_store.h"

namespace iccache::index {

// A staging or clearing transaction writes for about this long.
constexpr double kBatchSeconds = 0.002;
// The last transaction applies at most about this many changes; more are applied first.
constexpr size_t kSwitchChanges = 256;
// Rows a clearing statement deletes at a time.
constexpr int64_t kClearRows = 256;

// The vectors of every example in id order, their tenants, and where the log stood.
struct TrainingSnapshot {
  TrainingSet set;
  std::optional<Change> at;  // the newest change-log entry in the snapshot
  int64_t epoch = 0;
};

// Reads every example's vector (and its tenant), not the loaded index nor the rows
// tables, so that training also repairs lists, list rows or centroids that are damaged or
// missing. Inside the caller's transaction.
TrainingSnapshot read_snapshot(TrainingStore& store, int dim);

// The examples written after log entry `at` (from the change log when it still reaches
// `at` with the same nonce, else every example: then all are re-read and assigned), and
// the newest entry now. `snapshot_ids`: the examples the training read.
std::unordered_set<int64_t> changed_since(TrainingStore& store, const std::optional<Change>& at,
                                          const std::vector<int64_t>& snapshot_ids, std::optional<Change>* newest);

// Re-reads the examples changed[from...] as they are now and writes them into rows table
// `slot` with the new training (nearest new list, code), or deletes them there (deleted
// meanwhile); the built index follows. Stops at the end or, checked every 16 examples, once
// clock.now() passes `until`; returns where it stopped. Inside the caller's write
// transaction.
size_t apply_changes(TrainingStore& store, IvfTraining& tr, const TrainingParams& p, const std::vector<int64_t>& changed,
                     size_t from, int slot, double until, TrainingClock& clock);

// Steps 1-3 (no transaction open). Returns whether the training switched in (then
// store.finish built its index), false when the epoch changed meanwhile (nothing kept).
// `old_slot` is set to the rows table to empty after (step 4).
bool write_staged(TrainingStore& store, const TrainingSnapshot& snap, IvfTraining& tr, const TrainingParams& p,
                  TrainingStatus& st, TrainingClock& clock, int& old_slot);

// Empties a rows table in transactions of about kBatchSeconds with pauses between; stops
// at once should it be the table in use.
void clear_rows_table(TrainingStore& store, int slot, TrainingClock& clock);

}  // namespace iccache::index
