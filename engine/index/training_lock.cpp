#include "index/training_lock.h"

#include <signal.h>

#include <cerrno>

namespace iccache::index {

bool process_alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

int64_t live_lock_holder(const LockRow& row, double now, bool alive) {
  if (row.pid == 0 || !alive || now - row.since > kLockLeaseSeconds) return 0;
  return row.pid;
}

int64_t live_lock_holder(const LockRow& row, double now) {
  if (row.pid == 0) return 0;
  return live_lock_holder(row, now, process_alive(row.pid));
}

}  // namespace iccache::index
