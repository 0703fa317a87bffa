// Regression tests: two processes sending feedback to one WAL file at the same time, each
// in autocommit mode (`SELECT iccache_feedback(...)`), as two serving workers do. Before
// the functions took the write lock first (ext/sql/write_txn.h), the router arms kept only
// about half of the rewards (each process overwrote the other's arm update from its stale
// cache), and iccache_example_feedback failed with "database is locked" despite the busy
// timeout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "../common/expect_contains.h"
#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::SharedFile;
using iccache_test::TempFile;

namespace {

constexpr int kDecisions = 300;

// In a child process: its own connection, `count` statements built by `sql(i)`; exits 0
// when every one succeeded. Plain SQLite calls: no test framework in the child.
template <class Sql>
pid_t worker(const std::string& path, int first, int count, Sql sql) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  iccache_test::apply_test_key(db);  // the SQLCipher run: the file is encrypted
  sqlite3_busy_timeout(db, 20000);
  sqlite3_enable_load_extension(db, 1);
  if (rc == SQLITE_OK) rc = sqlite3_load_extension(db, ICCACHE_EXT_PATH, "sqlite3_iccache_init", nullptr);
  for (int i = first; rc == SQLITE_OK && i < first + count; ++i) {
    char* err = nullptr;
    rc = sqlite3_exec(db, sql(i).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) fprintf(stderr, "worker: %s\n", err ? err : "?");
    sqlite3_free(err);
  }
  sqlite3_close(db);
  _exit(rc == SQLITE_OK ? 0 : 1);
}

int wait_ok(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ConcurrentFeedback : public ::testing::Test {
 protected:
  void SetUp() override {
    Db db(file.path());
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    db.exec("INSERT INTO ex(rowid, request, response) VALUES(1, 'how many legs has a spider', 'eight')");
    db.exec("BEGIN");
    for (int i = 0; i < kDecisions; ++i)
      db.exec("SELECT * FROM iccache_route('ex', 'question " + std::to_string(i) + "', '[1]')");
    db.exec("COMMIT");
  }
  TempFile file;
};

TEST_F(ConcurrentFeedback, RewardsFromTwoProcessesAreNeverLost) {
  auto sql = [](int i) { return "SELECT iccache_feedback('ex', " + std::to_string(i + 1) + ", 0.7)"; };
  pid_t a = worker(file.path(), 0, kDecisions / 2, sql);
  pid_t b = worker(file.path(), kDecisions / 2, kDecisions / 2, sql);
  EXPECT_EQ(wait_ok(a), 0);
  EXPECT_EQ(wait_ok(b), 0);
  Db db(file.path());
  EXPECT_EQ(db.scalar("SELECT count(reward) FROM ex_decisions"), std::to_string(kDecisions));
  EXPECT_EQ(db.scalar("SELECT sum(n) FROM ex_router"), std::to_string(kDecisions));
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST_F(ConcurrentFeedback, ExampleFeedbackFromTwoProcessesWaitsForTheLock) {
  auto sql = [](int) { return std::string("SELECT iccache_example_feedback('ex', '[1]', 'small', 0.9)"); };
  pid_t a = worker(file.path(), 0, kDecisions / 2, sql);
  pid_t b = worker(file.path(), 0, kDecisions / 2, sql);
  EXPECT_EQ(wait_ok(a), 0);
  EXPECT_EQ(wait_ok(b), 0);
  Db db(file.path());
  EXPECT_EQ(db.scalar("SELECT uses FROM ex WHERE rowid = 1"), std::to_string(kDecisions));
}

TEST(ConcurrentRoute, BusyErrorSaysWhatToDo) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=16)", /*wal=*/true);
  Db &a = s.a, &b = s.b;
  a.exec("INSERT INTO ex(rowid, request, response) VALUES(1, 'q', 'a')");
  sqlite3_busy_timeout(b.get(), 0);
  b.exec("SELECT * FROM iccache_route('ex', 'q', '[1]')");  // b has loaded its router
  a.exec("BEGIN IMMEDIATE");
  a.exec("SELECT * FROM iccache_route('ex', 'q', '[1]')");
  // b's SELECT reads the file first, so it cannot wait for a's lock: a clear error.
  const std::string err = b.error_of("SELECT * FROM iccache_route('ex', 'q', '[1]')");
  EXPECT_CONTAINS(err, "database is locked");
  EXPECT_CONTAINS(err, "inside BEGIN IMMEDIATE");
  a.exec("COMMIT");
  b.exec("BEGIN IMMEDIATE");
  b.exec("SELECT * FROM iccache_route('ex', 'q', '[1]')");
  b.exec("COMMIT");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_decisions"), "3");
}

// Rollback-journal mode: another connection's open read keeps iccache_route from
// committing (SQLITE_BUSY). The failed call must undo itself and end the transaction its
// savepoint opened; before the fix, the connection stayed inside it and every later write
// of that connection was silently held back (lost at close).
TEST(ConcurrentRoute, FailedCommitLeavesNoTransactionOpen) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
  Db &a = s.a, &b = s.b;
  a.exec("INSERT INTO ex(rowid, request, response) VALUES(1, 'q', 'a')");
  b.exec("SELECT * FROM iccache_route('ex', 'q', '[1]')");
  sqlite3_busy_timeout(b.get(), 0);
  a.exec("BEGIN");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_data"), "1");  // a now holds a read lock
  EXPECT_CONTAINS(b.error_of("SELECT * FROM iccache_route('ex', 'q', '[1]')"), "database is locked");
  EXPECT_EQ(sqlite3_get_autocommit(b.get()), 1) << "the failed route left a transaction open";
  a.exec("COMMIT");
  b.exec("INSERT INTO ex(rowid, request, response) VALUES(2, 'later', 'kept')");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex"), "2");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_decisions"), "1");
}

}  // namespace
