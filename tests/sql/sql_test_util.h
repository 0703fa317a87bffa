// Helpers for SQL-level tests: a connection with the built extension loaded, and small
// query/exec wrappers that return rows as strings.
#pragma once
#include <sqlite3.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace iccache_test {

using Row = std::vector<std::string>;
using Rows = std::vector<Row>;

class Db {
 public:
  // ":memory:" or a file path. Loads the extension built by this tree.
  explicit Db(const std::string& path = ":memory:");
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  // SQLITE_DBCONFIG_DEFENSIVE (shadow tables read-only to plain SQL; SQLite 3.44+ also
  // refuses triggers on them). Off by default with Debian's SQLite; on in every connection of
  // sql_tests_amalgamation (tests/CMakeLists.txt). Tests that tamper with shadow tables on
  // purpose turn it off first.
  void set_defensive(bool on);
  // Runs SQL; fails the test on error.
  void exec(const std::string& sql);
  // Runs SQL and returns the error message, or "" when it succeeded.
  std::string error_of(const std::string& sql);
  // Rows of a query, NULL as "NULL", blobs as hex; fails the test on error.
  Rows query(const std::string& sql);
  // The single value of a one-row, one-column query.
  std::string scalar(const std::string& sql);
  // Runs a statement with blob parameter ?1.
  std::string exec_with_blob(const std::string& sql, const void* data, int bytes);

 private:
  sqlite3* db_ = nullptr;
  std::string keyed_temp_;  // under ICCACHE_TEST_KEY: the file standing in for ":memory:"
};

// Encrypted runs (ICCACHE_TEST_KEY set: the SQLCipher build, ctest sqlcipher.*). The key, or
// nullptr in a plain run; " KEY <key>" for an ATTACH statement ("" in a plain run); PRAGMA key
// on a connection opened without Db (a no-op in a plain run).
const char* test_key();
std::string key_clause();
void apply_test_key(sqlite3* db);

// The IVF rows table in use (ext/index/index_store.h): "<table>_index", or
// "<table>_index_alt" after a background training switched to it.
std::string index_rows(Db& db, const std::string& table = "ex");

// A temporary file path, removed (with -wal/-shm/-journal) at destruction.
class TempFile {
 public:
  TempFile();
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Two connections, a and b, on one temporary file in which a ran `create` (a CREATE VIRTUAL
// TABLE statement) and, with wal, switched the file to WAL: what two workers of one cache
// see. Tests name them `Db &a = s.a, &b = s.b;`.
struct SharedFile {
  explicit SharedFile(const std::string& create, bool wal = false);
  TempFile file;
  Db a{file.path()}, b{file.path()};
};

// One thread's own connection to a shared file, for the many-thread tests (busy_timeout
// 30 s). run() reports a failed statement and counts it in `failures`; value() is the first
// column of the first row ("" for NULL or no row), a failed statement counted the same way.
class ThreadDb {
 public:
  ThreadDb(const std::string& path, std::atomic<int>& failures);
  sqlite3* get() const { return db_.get(); }
  void run(const std::string& sql);
  std::string value(const std::string& sql);
  // Reports a failed check of this thread and counts it.
  void fail(const std::string& what);

 private:
  Db db_;
  std::atomic<int>& failures_;
};

// The many-thread tests' frame: a file at `path` switched to WAL in which `setup` (SQL)
// ran; then body(conn, t) for t = 0 .. threads - 1, each on its own thread with its own
// ThreadDb. Returns the failures the threads counted (0: all went well).
int run_threads(const std::string& path, const std::string& setup, int threads,
                const std::function<void(ThreadDb&, int)>& body);

// Runs a command through the shell; returns its exit status and captures stdout+stderr.
int run_command(const std::string& cmd, std::string* output);

}  // namespace iccache_test
