#include "fuzz_sql.h"

#include <cstdio>
#include <cstdlib>

#include "fuzz_check.h"

extern "C" int sqlite3_iccache_init(sqlite3* db, char** err, const sqlite3_api_routines* api);

namespace iccache_fuzz {

namespace {
bool registered = [] {
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_iccache_init));
  return true;
}();
}  // namespace

FuzzDb::FuzzDb() {
  (void)registered;
  if (sqlite3_open(":memory:", &db_) != SQLITE_OK) fail("cannot open an in-memory database");
}

FuzzDb::~FuzzDb() { sqlite3_close_v2(db_); }

int FuzzDb::run(const std::string& sql, const std::vector<Value>& values, std::vector<std::string>* first) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  if (rc != SQLITE_OK) return rc;  // e.g. bad JSON path in a harness-built statement: no bug
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    const int p = static_cast<int>(i + 1);
    switch (v.kind) {
      case Value::kNull: sqlite3_bind_null(s, p); break;
      case Value::kInt: sqlite3_bind_int64(s, p, v.i); break;
      case Value::kReal: sqlite3_bind_double(s, p, v.r); break;
      case Value::kText: sqlite3_bind_text(s, p, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT); break;
      case Value::kBlob: sqlite3_bind_blob(s, p, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT); break;
    }
  }
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(s); ++c) (void)sqlite3_column_blob(s, c);
    if (first && sqlite3_column_count(s) > 0) {
      const unsigned char* t = sqlite3_column_text(s, 0);
      first->emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
  }
  const int code = sqlite3_extended_errcode(db_);
  if (rc != SQLITE_DONE && ((code & 0xff) == SQLITE_CORRUPT || code == SQLITE_INTERNAL || code == SQLITE_MISUSE)) {
    std::fprintf(stderr, "statement: %s\nerror %d: %s\n", sql.c_str(), code, sqlite3_errmsg(db_));
    fail("the extension reported corruption or misuse on its own writes");
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void FuzzDb::check_integrity(const char* table) {
  const std::string cmd = std::string("INSERT INTO ") + table + "(" + table + ") VALUES('integrity-check')";
  char* err = nullptr;
  if (sqlite3_exec(db_, cmd.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "integrity-check: %s\n", err ? err : "?");
    fail("integrity-check failed after a sequence of SQL statements");
  }
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &s, nullptr);
  if (sqlite3_step(s) != SQLITE_ROW || std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) != "ok")
    fail("PRAGMA integrity_check failed");
  sqlite3_finalize(s);
}

}  // namespace iccache_fuzz
