// The write of a background training without holding the write lock for long (the rows
// tables in index_store.h). With the training lock row held and the result computed:
//   1. the rows table not in use is emptied (a killed training's rows), then the
//      snapshot's rows are written into it with the new training, in transactions of
//      about kBatchSeconds each, each followed by a pause as long, so that the writers,
//      which go on with the table in use, wait at most about one batch;
//   2. the examples written since the snapshot (change log) are applied to it in such
//      transactions too, in rounds, until few are left;
//   3. one short transaction applies the last of them, stores the centroids, SQ8 ranges and
//      tuning, switches T_state 'index_slot' to it and logs a new epoch;
//   4. (clear_rows_table, after) the table no longer in use is emptied in small
//      transactions; then the lock row is deleted.
// Every transaction first checks the epoch: when it moved (an 'optimize' elsewhere), the
// result is dropped and the rows written so far are deleted. A kill at any point leaves the
// table in use and the training it goes with untouched; the other table's rows are ignored
// until the next training empties it.
#pragma once
#include <memory>

#include "index/ivf_training.h"
#include "ext/index/index_cache.h"
#include "ext/index/index_registry.h"
#include "ext/index/training_write.h"

namespace iccache::ext {

struct Table;

// A staging or clearing transaction writes for about this long.
constexpr double kBatchSeconds = 0.002;
// The last transaction applies at most about this many changes; more are applied first.
constexpr size_t kSwitchChanges = 256;

// Steps 1-3 on the trainer's own connection (no transaction open). Returns the index that
// reflects the switched training, or null when the epoch changed meanwhile (nothing kept).
// `old_slot` is set to the rows table to empty after (step 4).
std::shared_ptr<IndexCache> write_staged(Table& t, const Snapshot& snap, index::IvfTraining& tr,
                                         TrainingStatus& st, int& old_slot);

// Empties a rows table in transactions of about kBatchSeconds with pauses between.
void clear_rows_table(Table& t, int slot);

}  // namespace iccache::ext
