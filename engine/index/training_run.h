// One training of the IVF index from start to end, over a TrainingStore (training_store.h),
// in the two ways ext/index/index_trainer.h describes:
//   - train_in_place: inside the caller's statement and transaction;
//   - run_background_training: a background job on a connection of its own, which the
//     worker thread (training_worker.h) runs:
//       1. takes the lock row (at most one training at a time across processes; a lock
//          whose process is gone, or older than an hour, is taken over: training_lock.h);
//       2. reads every vector in one read transaction (a snapshot at change-log entry S);
//       3. computes the lists, SQ8 ranges, index and nprobe with no lock held, while the
//          other connections go on reading and writing (new examples go to the nearest
//          list of the current training, as before);
//       4. writes the result without holding the write lock for long (staged_write.h):
//          every example's row with the new training goes into the IVF rows table not in
//          use in transactions of ~2 ms with pauses between; the examples written after S
//          (from the change log, which keeps them while the lock row is held; all of them
//          when it no longer reaches S) are re-read and assigned with the new centroids
//          the same way; then one short transaction applies the last few, stores the
//          centroids, switches the rows table in use and logs a new epoch. The built index
//          is handed to this process's shared index (no reload here; other processes
//          reload once, as after any training); the rows table left is emptied in small
//          transactions and the lock row deleted.
//     Until the switch the table in use and its training are untouched: a crash or kill
//     during training leaves them as they were (the other table's rows are ignored and
//     emptied by the next training; its lock row is taken over later), and a failed step
//     rolls back only its own small transaction. When the epoch changed meanwhile (an
//     'optimize' elsewhere), the result is dropped. A process that exits normally (exit(),
//     return from main) while a job is queued or running waits for it first, at most 10
//     minutes (training_worker.h).
#pragma once
#include <cstdint>

#include "index/ivf_training.h"
#include "index/training_status.h"
#include "index/training_store.h"

namespace iccache::index {

// Takes the lock row as process `self` in a short write transaction of its own; false when
// a live training of another process holds it.
bool take_lock(TrainingStore& store, int64_t self, TrainingClock& clock);
// Deletes the lock row in a transaction of its own; on failure leaves it to be taken over
// after the lease.
void release_lock(TrainingStore& store) noexcept;

// The background job (no transaction open): trains unless the table is empty or (but when
// `forced`, an explicit command) another process trained meanwhile. Throws on failure (the
// lock row is released first); st says how far it got and how it ended.
void run_background_training(TrainingStore& store, TrainingStatus& st, const TrainingParams& p, bool forced,
                             TrainingClock& clock);

// Trains now, inside the caller's write transaction, and publishes the built index.
void train_in_place(TrainingStore& store, TrainingStatus& st, const TrainingParams& p, TrainingClock& clock);

// A training's rows written inside the caller's write transaction: every example's row of
// the rows table in use is rewritten, then store.finish.
void write_in_place(TrainingStore& store, const TrainingSet& set, IvfTraining& tr, const TrainingParams& p,
                    TrainingStatus* status, TrainingClock& clock);

}  // namespace iccache::index
