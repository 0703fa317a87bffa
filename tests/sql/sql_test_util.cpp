#include "sql_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

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

const char* test_key() {
  const char* key = std::getenv("ICCACHE_TEST_KEY");
  return key && *key ? key : nullptr;
}

static std::string key_literal() {
  const char* key = test_key();
  if (!key) return "";
  // A raw key (x'64 hex digits') is written in double quotes, so SQLCipher takes the bytes
  // as the key and skips its PBKDF2 (256,000 rounds of HMAC-SHA512 at every open, ~0.1-0.2 s
  // each, and the suite opens thousands of connections); the pages are encrypted and
  // authenticated just the same. Anything else is a passphrase.
  const std::string k = key;
  return k.rfind("x'", 0) == 0 ? "\"" + k + "\"" : "'" + k + "'";
}

std::string index_rows(Db& db, const std::string& table) {
  const std::string slot =
      db.scalar("SELECT coalesce((SELECT value FROM " + table + "_state WHERE key = 'index_slot'), 0)");
  return table + (slot == "1" ? "_index_alt" : "_index");
}

std::string key_clause() { return test_key() ? " KEY " + key_literal() : ""; }

void apply_test_key(sqlite3* db) {
  if (!test_key()) return;
  const std::string pragma = "PRAGMA key = " + key_literal();
  if (sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error("PRAGMA key failed");
}

Db::Db(const std::string& path) {
  // ICCACHE_TEST_KEY (the SQLCipher build of these tests, ctest sqlcipher.*): every
  // database is an encrypted file opened with PRAGMA key, ":memory:" included: it becomes a
  // keyed temporary file, in /dev/shm where there is one (the tests written for ":memory:"
  // commit thousands of times; on a disk each commit would wait for fsync).
  std::string open_path = path;
  if (test_key() && path == ":memory:") {
    std::string name = access("/dev/shm", W_OK) == 0 ? "/dev/shm/iccache_keyed_XXXXXX"
                                                     : "/tmp/iccache_keyed_XXXXXX";
    const int fd = mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file");
    close(fd);
    std::remove(name.c_str());
    keyed_temp_ = open_path = name;
  }
  int rc = sqlite3_open(open_path.c_str(), &db_);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + open_path);
  apply_test_key(db_);
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

SharedFile::SharedFile(const std::string& create, bool wal) {
  a.exec(create);
  if (wal) a.exec("PRAGMA journal_mode=WAL");
}

ThreadDb::ThreadDb(const std::string& path, std::atomic<int>& failures) : db_(path), failures_(failures) {
  sqlite3_busy_timeout(db_.get(), 30000);
}

void ThreadDb::run(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << (err ? err : "?");
    ++failures_;
  }
  sqlite3_free(err);
}

void ThreadDb::fail(const std::string& what) {
  ADD_FAILURE() << what;
  ++failures_;
}

int run_threads(const std::string& path, const std::string& setup, int threads,
                const std::function<void(ThreadDb&, int)>& body) {
  {
    Db db(path);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec(setup);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t)
    running.emplace_back([&, t] {
      ThreadDb conn(path, failures);
      body(conn, t);
    });
  for (std::thread& th : running) th.join();
  return failures.load();
}

std::string ThreadDb::value(const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  std::string out;
  int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_.get());
    ++failures_;
  }
  sqlite3_finalize(st);
  return out;
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
