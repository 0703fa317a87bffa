// The training lock row (its rule: engine/index/training_lock.h) in T_state: keys
// 'training_pid' (the holder's process id), 'training_since' (wall-clock seconds when taken)
// and 'training_log_seq' (the newest change-log entry then: the log keeps what follows while
// the lock is held, so that the training can apply the changes made meanwhile from it).
// Also the write transaction helpers the trainer uses.
#pragma once
#include <cstdint>

#include "common/clock.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// The pid of a live training holding t's lock row (another process, or a job of this
// one), 0 when none.
int64_t lock_holder(Table& t);
// Takes the lock row in a short write transaction of its own; false when a live training
// of another process holds it.
bool take_lock(Table& t);
// Deletes the lock row (inside the caller's transaction).
void drop_lock(Table& t);
// Deletes the lock row in a transaction of its own; on failure leaves it to be taken over
// after the lease.
void release_lock(Table& t);

// Runs one statement with no result rows; throws SqlError.
void exec(sqlite3* db, const char* sql);
// BEGIN IMMEDIATE with retries: serving writes hold the lock for milliseconds, the busy
// timeout covers them; a long writer elsewhere makes the job fail (and retry later).
void begin_immediate(sqlite3* db);

}  // namespace iccache::ext
