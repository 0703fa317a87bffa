// in_write_transaction: how SQL functions that read, compute and write shared state
// (iccache_feedback, iccache_load, iccache_calibrate, iccache_example_feedback,
// iccache_evict) stay correct when several connections or processes write one file.
//
// Their in-memory caches (router arms, example statistics) are checked against the file
// when they are read; if that read ran in one transaction and the write in a later one,
// another process's commit in between would be overwritten (a lost update: measured, two
// processes giving 1000 rewards left the router arms with 500). And in WAL mode a
// transaction that reads first cannot wait for the write lock: SQLite returns SQLITE_BUSY
// at once, whatever the busy timeout.
//
// So when no transaction is open (the usual `SELECT iccache_feedback(...)` in autocommit
// mode), the function runs inside BEGIN IMMEDIATE ... COMMIT: it takes the write lock
// first, waiting through the busy timeout, and reads the latest state under it. Inside a
// transaction, or in a statement that already reads the file, it nests in a SAVEPOINT and
// the caller's transaction decides (BEGIN IMMEDIATE there gives the same guarantee).
// Either way an error undoes everything the function wrote.
#pragma once
#include <string>

#include "ext/sql/stmt.h"

namespace iccache::ext {

template <class Fn>
auto in_write_transaction(sqlite3* db, const char* function, Fn&& fn) {
  auto exec = [&](const char* sql) {
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw SqlError(rc, std::string(function) + ": " + sqlite3_errmsg(db));
  };
  const bool own = sqlite3_get_autocommit(db) && sqlite3_txn_state(db, nullptr) == SQLITE_TXN_NONE;
  if (own) exec("BEGIN IMMEDIATE");
  try {
    exec("SAVEPOINT iccache_write");
  } catch (...) {
    if (own) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  try {
    auto result = fn();
    exec("RELEASE iccache_write");
    if (own) exec("COMMIT");
    return result;
  } catch (...) {
    // ROLLBACK TO keeps other statements of the connection running (a plain ROLLBACK
    // would abort them); the then empty transaction commits nothing.
    sqlite3_exec(db, "ROLLBACK TO iccache_write; RELEASE iccache_write", nullptr, nullptr, nullptr);
    if (own) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace iccache::ext
