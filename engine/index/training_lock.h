// The rule of the training lock row: at most one background training of a table at a time
// across the processes that open its file. The row (ext/index/training_store.h keeps it in
// T_state) names the holder's process id and the wall-clock time it was taken; a row whose
// process is gone, or older than the lease, is not a live holder and is taken over.
#pragma once
#include <cstdint>

namespace iccache::index {

// A lock row older than this is taken over even when its process seems alive (a process
// on another host, or a reused pid): training 1M x 384 takes about a minute.
constexpr double kLockLeaseSeconds = 3600;

struct LockRow {
  int64_t pid = 0;     // 0: no row
  double since = 0;    // Unix time in seconds when taken
};

// Whether process pid exists on this host (a process of another user counts).
bool process_alive(int64_t pid);

// The pid of the live training holding `row` at wall-clock time `now` (alive: whether its
// process exists), 0 when none.
int64_t live_lock_holder(const LockRow& row, double now, bool alive);
// The same, asking the system whether the process exists.
int64_t live_lock_holder(const LockRow& row, double now);

}  // namespace iccache::index
