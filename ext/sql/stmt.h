// Thin RAII helpers over prepared statements, the statement cache of the stores, and the SQL
// error type of ext/.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// An error that carries an SQLite result code (SQLITE_CONSTRAINT, SQLITE_CORRUPT_VTAB...).
class SqlError : public Error {
 public:
  SqlError(int rc, const std::string& message) : Error(message), rc_(rc) {}
  int rc() const { return rc_; }

 private:
  int rc_;
};

// Throws SqlError with the connection's message when rc is not one of the ok codes.
void check(sqlite3* db, int rc, std::string_view context);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const std::string& sql);
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Resets and clears bindings, ready for the next use of a cached statement.
  Stmt& reset();
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind_text(int i, std::string_view v);
  // The text is bound without a copy (SQLITE_STATIC), so it must outlive step(): a
  // temporary string would dangle (three stack-use-after-scope bugs came from that).
  Stmt& bind_text(int i, std::string&& v) = delete;
  Stmt& bind_text(int i, const char* v) { return bind_text(i, std::string_view(v)); }
  Stmt& bind_blob(int i, const void* data, size_t bytes);
  Stmt& bind_null(int i);

  // Steps once: true when a row is available, false when done; throws on error.
  bool step();
  // Steps to completion (for writes).
  void run();
  // The one-value queries (count(*), a state key): steps once and returns column 0 as an
  // integer, `if_none` when there is no row; leaves the statement reset (also on error).
  int64_t one_int64(int64_t if_none = 0);

  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view text(int col) const;
  std::string_view blob(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Prepared statements kept for reuse by cursors: preparing costs tens of microseconds, a
// large share of a sub-millisecond query. Nested cursors on one table each borrow their
// own statement, so a statement is never shared while in use.
class StmtPool {
 public:
  explicit StmtPool(sqlite3* db) : db_(db) {}
  Stmt borrow(const std::string& sql);
  // Resets the statement (releasing its read) and keeps it for the next borrow of `sql`.
  void give_back(const std::string& sql, Stmt&& s);

 private:
  sqlite3* db_;
  std::vector<std::pair<std::string, Stmt>> free_;
};

// Runs SQL that returns no rows (DDL, PRAGMA writes); throws SqlError with SQLite's message.
void exec(sqlite3* db, const std::string& sql);

// Whether `schema` holds a table named `name` (a shadow table that older files lack until
// their first use of it: T_changes, T_index_alt, T_idf).
bool table_exists(sqlite3* db, const std::string& schema, const std::string& name);

// The statement cache of the stores (Storage, RouteStore, SelectStore, ManageStore,
// IndexStore, ChangeLog): each statement has a slot, prepared on first use and reset at
// every use, so a hot path prepares nothing. `sql` is the SQL text or a callable returning
// it (then the text is built only on first use).
template <class Sql>
Stmt& cached(sqlite3* db, Stmt& slot, Sql&& sql) {
  if (!slot) {
    if constexpr (std::is_invocable_v<Sql>) slot = Stmt(db, sql());
    else slot = Stmt(db, std::string(sql));
  }
  return slot.reset();
}

// Resets a statement when the scope ends, also by an exception: no read stays open (an
// open read holds a lock that blocks other processes' writes).
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& s) : s_(s) {}
  ~ResetOnExit() { sqlite3_reset(s_.get()); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& s_;
};

// Reads each id's row with `s` (whose one parameter is the id), in order: one Row (with
// members id and present) per id, fill(row) called while `s` is on the row found. `s` is
// reset after each row, also when fill throws (a damaged row).
template <class Row, class Fill>
std::vector<Row> rows_by_id(Stmt& s, const std::vector<int64_t>& ids, Fill&& fill) {
  std::vector<Row> rows;
  rows.reserve(ids.size());
  for (int64_t id : ids) {
    Row& r = rows.emplace_back();
    r.id = id;
    ResetOnExit done(s.reset().bind(1, id));
    r.present = s.step();
    if (r.present) fill(r);
  }
  return rows;
}

// Quotes an identifier ("a""b") or a string literal ('it''s') for SQL.
std::string quote_id(std::string_view id);
std::string quote_literal(std::string_view text);

}  // namespace iccache::ext
