#include "ext/sql/stmt.h"

namespace iccache::ext {

void check(sqlite3* db, int rc, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // A read-only file: say so in user terms, without the internal SQL that failed.
  if ((rc & 0xff) == SQLITE_READONLY)
    msg = std::string("iccache: this call writes to the cache, but the database is read-only (") +
          (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
          "); expected a database opened read-write (read-only files allow MATCH, iccache_prompt,"
          " iccache_stats, ex_replay and iccache_integrity_check)";
  // A statement that already reads the file cannot wait for another connection's write
  // lock (SQLite answers SQLITE_BUSY at once, whatever the busy timeout): say what works.
  if ((rc & 0xff) == SQLITE_BUSY)
    msg += " (another connection is writing; a statement that already reads the file cannot wait"
           " for its lock: call writing functions such as iccache_route inside BEGIN IMMEDIATE ..."
           " COMMIT; see docs/reliability.md)";
  throw SqlError(rc, msg);
}

Stmt::Stmt(sqlite3* db, const std::string& sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  check(db, rc, "preparing " + sql);
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Stmt& Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  check(db_, sqlite3_bind_int64(stmt_, i, v), "binding");
  return *this;
}

Stmt& Stmt::bind(int i, double v) {
  check(db_, sqlite3_bind_double(stmt_, i, v), "binding");
  return *this;
}

Stmt& Stmt::bind_text(int i, std::string_view v) {
  check(db_, sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8),
        "binding");
  return *this;
}

Stmt& Stmt::bind_blob(int i, const void* data, size_t bytes) {
  // A zero-length blob must stay a blob, not NULL: pass a non-null pointer.
  static const char empty = 0;
  check(db_, sqlite3_bind_blob64(stmt_, i, bytes ? data : &empty, bytes, SQLITE_STATIC),
        "binding");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  check(db_, sqlite3_bind_null(stmt_, i), "binding");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);  // the error code and message are kept by the connection
  check(db_, rc, sqlite3_sql(stmt_));
  return false;
}

void Stmt::run() {
  while (step()) {
  }
}

int64_t Stmt::one_int64(int64_t if_none) {
  ResetOnExit done(*this);
  return step() ? int64(0) : if_none;
}

std::string_view Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), n) : std::string_view();
}

std::string_view Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p), n) : std::string_view();
}

Stmt StmtPool::borrow(const std::string& sql) {
  for (size_t i = 0; i < free_.size(); ++i)
    if (free_[i].first == sql) {
      Stmt s = std::move(free_[i].second);
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return s;
    }
  return Stmt(db_, sql);
}

void StmtPool::give_back(const std::string& sql, Stmt&& s) {
  if (!s) return;
  s.reset();
  constexpr size_t kMaxKept = 8;  // a few per table: cursors rarely nest deeper
  if (free_.size() < kMaxKept) free_.emplace_back(sql, std::move(s));
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqlError(rc, msg);
  }
}

bool table_exists(sqlite3* db, const std::string& schema, const std::string& name) {
  Stmt s(db, "SELECT 1 FROM " + quote_id(schema) + ".sqlite_master WHERE type = 'table' AND name = ?");
  s.bind_text(1, name);  // bind_text does not copy: `name` outlives the step
  return s.step();
}

namespace {
std::string quoted(std::string_view text, char q) {
  std::string out(1, q);
  for (char c : text) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}
}  // namespace

std::string quote_id(std::string_view id) { return quoted(id, '"'); }
std::string quote_literal(std::string_view text) { return quoted(text, '\''); }

}  // namespace iccache::ext
