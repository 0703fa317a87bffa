// Training of the IVF index (engine/index/ivf_training.h) against the shadow tables, in two
// ways:
//   - train_now: inside the caller's statement and transaction ('optimize', forget, and the
//     automatic training of in-memory and temp tables, which no other connection can open,
//     of encrypted files (SQLCipher), which it cannot read without the key, and of every
//     table when the host SQLite was built with SQLITE_THREADSAFE=0);
//   - request_training: the automatic training of file tables, off the request path. The
//     write that crosses the threshold (ivf_min, then 4x the last trained N) only queues a
//     job and wakes the worker (engine/index/training_worker.h: one thread per process, started when
//     such a table opens and parked between jobs), which runs the jobs on its own
//     connection:
//       1. takes the lock row (T_state 'training_pid' + 'training_since'; at most one
//          training at a time across processes; a lock whose process is gone, or older
//          than an hour, is taken over);
//       2. reads every vector in one read transaction (a snapshot at change-log entry S);
//       3. computes the lists, SQ8 ranges, index and nprobe with no lock held, while the
//          other connections go on reading and writing (new examples go to the nearest
//          list of the current training, as before);
//       4. writes the result without holding the write lock for long (training_stage.h):
//          every example's row with the new training goes into the IVF rows table not in
//          use (index_store.h) in transactions of ~2 ms with pauses between; the examples
//          written after S (from the change log, which keeps them while the lock row is
//          held; all of them when it no longer reaches S) are re-read and assigned with the
//          new centroids the same way; then one short transaction applies the last few,
//          stores the centroids, switches T_state 'index_slot' and logs a new epoch. The
//          built index is handed to this process's shared index (no reload here; other
//          processes reload once, as after any training); the rows table left is emptied in
//          small transactions and the lock row deleted.
//     Until the switch the table in use and its training are untouched: a crash or kill
//     during training leaves them as they were (the other table's rows are ignored and
//     emptied by the next training; its lock row is taken over later), and a failed step
//     rolls back only its own small transaction. When the epoch changed meanwhile (an
//     'optimize' elsewhere), the result is dropped. A process that exits normally (exit(),
//     return from main) while a job is queued or running waits for it first, at most 10
//     minutes.
// Progress and state are in ex_stats (training_* rows, training_stats below; the state:
// engine/index/training_status.h).
#pragma once
#include "index/training_status.h"
#include "ext/stats/stats.h"

namespace iccache::ext {

struct Table;

using TrainingStatus = index::TrainingStatus;
using index::TrainingRequest;

// When a table opens (xCreate, xConnect): looks up its process-wide state (index_registry.h)
// and, for a file table whose training is automatic, reads the file's header once (an
// encrypted file trains in the writing connection) and starts this process's worker, so
// that the write that crosses the threshold only queues. Never throws: what fails here is
// done, and reported, by the first statement that needs it.
void prepare_training(Table& t) noexcept;
// Trains now, inside the caller's transaction (see above).
void train_now(Table& t);
// Queues a background training of t (see above; why: engine/index/training_status.h), unless one is queued or running in this
// process, or (kDue, kOnUse) a recent attempt failed or found the lock taken (retried after
// a pause). In-memory, temp and encrypted tables train now instead (not for kOnUse).
void request_training(Table& t, TrainingRequest why = TrainingRequest::kDue);
// Waits until no training of t is queued or running in this process, at most timeout_s
// seconds; returns false on timeout. Tests and benchmarks use it; it holds no SQLite lock.
bool wait_training(Table& t, double timeout_s);
// ex_stats rows: training_state, training_phase, training_progress, training_running,
// training_runs, training_background_runs, training_last_s, training_error,
// training_lock_pid.
void training_stats(Table& t, StatRows& out);

}  // namespace iccache::ext
