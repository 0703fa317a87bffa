// Training of the IVF index (engine/index/ivf_training.h) against the shadow tables, in two
// ways:
//   - train_now: inside the caller's statement and transaction ('optimize', forget, and the
//     automatic training of in-memory and temp tables, which no other connection can open,
//     of encrypted files (SQLCipher), which it cannot read without the key, and of every
//     table when the host SQLite was built with SQLITE_THREADSAFE=0);
//   - request_training: the automatic training of file tables, off the request path. The
//     write that crosses the threshold (ivf_min, then 4x the last trained N) only queues a
//     job and wakes the worker (engine/index/training_worker.h), which runs it on its own
//     connection (its steps: engine/index/training_run.h).
// Both run the engine's training code (engine/index/training_run.h) over the SQL training
// store (training_store.h). Progress and state are in ex_stats (training_* rows,
// training_stats below; the state: engine/index/training_status.h).
#pragma once
#include "index/training_status.h"
#include "ext/stats/stats.h"

namespace iccache::ext {

struct Table;

using TrainingStatus = index::TrainingStatus;
using index::TrainingRequest;

// When a table opens (xCreate, xConnect): looks up its process-wide state (index/shared_registry.h)
// and, for a file table whose training is automatic, reads the file's header once (an
// encrypted file trains in the writing connection) and starts this process's worker, so
// that the write that crosses the threshold only queues. Never throws: what fails here is
// done, and reported, by the first statement that needs it.
void prepare_training(Table& t) noexcept;
// Trains now, inside the caller's transaction (see above).
void train_now(Table& t);
// Queues a background training of t (see above; why: engine/index/training_status.h),
// unless one is queued or running in this process, or (kDue, kOnUse) a recent attempt
// failed or found the lock taken (retried after a pause). In-memory, temp and encrypted
// tables train now instead (not for kOnUse).
void request_training(Table& t, TrainingRequest why = TrainingRequest::kDue);
// Waits until no training of t is queued or running in this process, at most timeout_s
// seconds; returns false on timeout. Tests and benchmarks use it; it holds no SQLite lock.
bool wait_training(Table& t, double timeout_s);
// ex_stats rows (engine/index/training_status.h training_stats lists them).
void training_stats(Table& t, StatRows& out);

}  // namespace iccache::ext
