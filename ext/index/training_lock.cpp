#include "ext/index/training_lock.h"

#include <unistd.h>

#include "index/training_lock.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

int64_t lock_holder(Table& t) {
  const int64_t pid = t.storage.state_int("training_pid", 0);
  if (pid == 0) return 0;
  Stmt s(t.db, "SELECT value FROM " + t.storage.shadow("state") + " WHERE key = 'training_since'");
  const double since = s.step() ? s.real(0) : 0;
  return index::live_lock_holder({pid, since}, wall_clock_now());
}

void exec(sqlite3* db, const char* sql) { Stmt(db, sql).run(); }

void begin_immediate(sqlite3* db) {
  for (int attempt = 0;; ++attempt) {
    try {
      exec(db, "BEGIN IMMEDIATE");
      return;
    } catch (const SqlError& e) {
      if ((e.rc() & 0xff) != SQLITE_BUSY || attempt >= 5) throw;
    }
  }
}

bool take_lock(Table& t) {
  begin_immediate(t.db);
  try {
    const int64_t holder = lock_holder(t);
    if (holder != 0 && holder != ::getpid()) {
      exec(t.db, "COMMIT");
      return false;
    }
    t.storage.set_state_int("training_pid", ::getpid());
    t.storage.set_state_real("training_since", wall_clock_now());
    // The log keeps the entries from here on while the lock is held (ChangeLog::prune): the
    // snapshot read after this is at this entry or later.
    if (std::optional<Change> at = t.log.last()) t.storage.set_state_int("training_log_seq", at->seq);
    exec(t.db, "COMMIT");
    return true;
  } catch (...) {
    sqlite3_exec(t.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void drop_lock(Table& t) {
  Stmt(t.db, "DELETE FROM " + t.storage.shadow("state") + " WHERE key IN ('training_pid', 'training_since', 'training_log_seq')").run();
}

void release_lock(Table& t) {
  try {
    begin_immediate(t.db);
    drop_lock(t);
    exec(t.db, "COMMIT");
  } catch (...) {
    sqlite3_exec(t.db, "ROLLBACK", nullptr, nullptr, nullptr);  // taken over after the lease
  }
}

}  // namespace iccache::ext
