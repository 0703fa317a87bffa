#include "sql_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace iccache_test {

namespace {
std::string cell(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_BLOB: {
      static const char* hex = "0123456789abcdef";
      const unsigned char* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
      std::string out;
      for (int j = 0; j < sqlite3_column_bytes(s, i); ++j) {
        out += hex[p[j] >> 4];
        out += hex[p[j] & 15];
      }
      return out;
    }
    default: return reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  }
}
}  // namespace

Db::Db(const std::string& path) {
  // ICCACHE_TEST_KEY (the SQLCipher build of these tests, ctest sqlcipher.sql_tests): every
  // database is an encrypted file opened with PRAGMA key, ":memory:" included.
  const char* key = std::getenv("ICCACHE_TEST_KEY");
  std::string open_path = path;
  if (key && *key && path == ":memory:") {
    char name[] = "/tmp/iccache_keyed_XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) throw std::runtime_error("cannot create a temporary file");
    close(fd);
    std::remove(name);
    keyed_temp_ = open_path = name;
  }
  int rc = sqlite3_open(open_path.c_str(), &db_);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + open_path);
  if (key && *key) {
    const std::string pragma = "PRAGMA key = '" + std::string(key) + "'";
    if (sqlite3_exec(db_, pragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error("PRAGMA key failed on " + open_path);
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_enable_load_extension(db_, 1);
#ifdef ICCACHE_TEST_DEFENSIVE
  set_defensive(true);  // sql_tests_amalgamation: as better-sqlite3 and other current clients
#endif
  char* err = nullptr;
  // ICCACHE_TEST_EXT runs the tests against another build (e.g. to show that a regression
  // test fails on an older commit).
  const char* other = std::getenv("ICCACHE_TEST_EXT");
  const std::string ext = other && *other ? other : ICCACHE_EXT_PATH;
  rc = sqlite3_load_extension(db_, ext.c_str(), "sqlite3_iccache_init", &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("cannot load " + ext + ": " + msg);
  }
}

Db::~Db() {
  sqlite3_close_v2(db_);
  if (!keyed_temp_.empty())
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((keyed_temp_ + suffix).c_str());
}

void Db::set_defensive(bool on) {
  int now = -1;
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, on ? 1 : 0, &now);
  if (now != (on ? 1 : 0)) throw std::runtime_error("cannot set SQLITE_DBCONFIG_DEFENSIVE");
}

void Db::exec(const std::string& sql) {
  std::string err = error_of(sql);
  ASSERT_EQ(err, "") << "while running: " << sql;
}

std::string Db::error_of(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = rc == SQLITE_OK ? "" : (err ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return msg;
}

Rows Db::query(const std::string& sql) {
  Rows rows;
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_) << " in: " << sql;
  if (rc != SQLITE_OK) return rows;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Row r;
    for (int i = 0; i < sqlite3_column_count(s); ++i) r.push_back(cell(s, i));
    rows.push_back(r);
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_) << " in: " << sql;
  sqlite3_finalize(s);
  return rows;
}

std::string Db::scalar(const std::string& sql) {
  Rows r = query(sql);
  EXPECT_EQ(r.size(), 1u) << sql;
  return r.empty() || r[0].empty() ? "" : r[0][0];
}

std::string Db::exec_with_blob(const std::string& sql, const void* data, int bytes) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
  if (rc != SQLITE_OK) return sqlite3_errmsg(db_);
  sqlite3_bind_blob(s, 1, data, bytes, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
  }
  std::string msg = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
  sqlite3_finalize(s);
  return msg;
}

TempFile::TempFile() {
  char tmpl[] = "/tmp/iccache_test_XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd >= 0) close(fd);
  path_ = tmpl;
  std::remove(path_.c_str());  // let SQLite create it
}

TempFile::~TempFile() {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
}

int run_command(const std::string& cmd, std::string* output) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace iccache_test
