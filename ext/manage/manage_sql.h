// Helpers of the example manager's SQL functions.
//
// in_manage_savepoint runs a write (eviction, feedback) from an SQL function in one transaction: in
// autocommit mode the whole write commits once at the end instead of statement by statement
// (atomic and much faster), inside a transaction it nests and rolls back with it, and on an
// error everything it did is undone before the error is reported.
#pragma once
#include <new>
#include <string>
#include <utility>

#include "ext/sql/stmt.h"
#include "ext/sql/write_txn.h"

namespace iccache::ext {

template <class Fn>
auto in_manage_savepoint(sqlite3* db, const char* function, Fn&& fn) {
  // One write transaction that takes the lock first (write_txn.h): no lost updates and no
  // SQLITE_BUSY past the busy timeout when other processes write the same file.
  return in_write_transaction(db, function, std::forward<Fn>(fn));
}

// Runs fn (which sets the function's result), turning exceptions into an SQL error.
template <class Fn>
void guarded_function(sqlite3_context* ctx, Fn&& fn) {
  try {
    fn();
  } catch (const SqlError& e) {
    sqlite3_result_error(ctx, e.what(), -1);
    sqlite3_result_error_code(ctx, e.rc());
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

}  // namespace iccache::ext
