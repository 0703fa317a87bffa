#include "conn.h"

namespace iccache_rel {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw SqlFailure(sqlite3_extended_errcode(db), what + ": " + sqlite3_errmsg(db));
}
}  // namespace

Conn::Conn(const std::string& path, const std::string& ext_path, int busy_ms) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail(db_, "open " + path);
  sqlite3_busy_timeout(db_, busy_ms);
  sqlite3_enable_load_extension(db_, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db_, ext_path.c_str(), "sqlite3_iccache_init", &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw SqlFailure(SQLITE_ERROR, "load " + ext_path + ": " + msg);
  }
}

Conn::~Conn() { sqlite3_close_v2(db_); }

void Conn::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw SqlFailure(sqlite3_extended_errcode(db_), sql + ": " + msg);
  }
}

std::vector<Row> Conn::query(const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail(db_, sql);
  for (size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].data(), static_cast<int>(params[i].size()),
                      SQLITE_TRANSIENT);
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Row r;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (sqlite3_column_type(s, c) == SQLITE_NULL) {
        r.emplace_back("NULL");
        continue;
      }
      const void* p = sqlite3_column_blob(s, c);
      r.emplace_back(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s, c)));
    }
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    SqlFailure e(sqlite3_extended_errcode(db_), sql + ": " + sqlite3_errmsg(db_));
    sqlite3_finalize(s);
    throw e;
  }
  sqlite3_finalize(s);
  return rows;
}

std::string Conn::scalar(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<Row> rows = query(sql, params);
  if (rows.size() != 1 || rows[0].size() != 1)
    throw SqlFailure(SQLITE_ERROR, sql + ": expected one value; received " + std::to_string(rows.size()) + " rows");
  return rows[0][0];
}

int64_t Conn::integer(const std::string& sql, const std::vector<std::string>& params) {
  return std::stoll(scalar(sql, params));
}

}  // namespace iccache_rel
