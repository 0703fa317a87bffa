// One index per process per file and table (engine/index/shared_registry.h,
// index_follower.h): connections share it, see their own uncommitted writes, never see
// others' uncommitted writes, and a rollback leaves the shared index untouched. Also the
// many-thread test the ThreadSanitizer build runs (scripts/tsan.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

const char* kCreate =
    "CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity')";

std::string top(Db& db, const std::string& vec, int k = 3) {
  return db.scalar("SELECT ifnull(group_concat(rowid), '') FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" +
                   vec + "') AND k = " + std::to_string(k) + ")");
}
std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT value FROM ex_stats WHERE key = '" + key + "'");
}
void insert(Db& db, int id, const std::string& vec) {
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(id) + ", 'q" +
          std::to_string(id) + "', 'a', '" + vec + "')");
}

struct Fixture : SharedFile {
  Fixture() : SharedFile(kCreate, true) {
    for (int i = 1; i <= 10; ++i) insert(a, i, "[0," + std::to_string(i) + "]");
  }
};

TEST(SharedIndex, ConnectionsOfOneProcessShareOneIndex) {
  Fixture x;
  EXPECT_EQ(top(x.a, "[0,1]"), "1,2,3");
  EXPECT_EQ(top(x.b, "[0,1]"), "1,2,3");
  EXPECT_EQ(stat(x.a, "index_shared_by"), "2");
  EXPECT_EQ(stat(x.b, "index_reloads"), "1");  // loaded once, by a
  insert(x.a, 11, "[1,0]");
  EXPECT_EQ(top(x.b, "[1,0]", 1), "11");  // b catches the shared index up
  EXPECT_EQ(top(x.a, "[1,0]", 1), "11");  // a finds it already current
  EXPECT_EQ(stat(x.a, "index_changes_applied"), "1");
  EXPECT_EQ(stat(x.a, "index_reloads"), "1");
  Db c(x.file.path());
  EXPECT_EQ(top(c, "[1,0]", 1), "11");  // a new connection's first MATCH loads nothing
  EXPECT_EQ(stat(c, "index_reloads"), "1");
  EXPECT_EQ(stat(c, "index_shared_by"), "3");
}

TEST(SharedIndex, ReadYourWritesOthersNeverSeeThemRollbackLeavesItUntouched) {
  Fixture x;
  EXPECT_EQ(top(x.b, "[1,0]", 2), "1,2");
  x.a.exec("BEGIN");
  insert(x.a, 20, "[1,0]");
  x.a.exec("DELETE FROM ex WHERE rowid = 1");
  x.a.exec("UPDATE ex SET embedding = '[1,0.01]' WHERE rowid = 5");
  EXPECT_EQ(top(x.a, "[1,0]", 3), "20,5,2");  // its own uncommitted writes
  EXPECT_EQ(top(x.b, "[1,0]", 3), "1,2,3");   // not b's
  x.a.exec("ROLLBACK");
  EXPECT_EQ(top(x.a, "[1,0]", 3), "1,2,3");
  EXPECT_EQ(top(x.b, "[1,0]", 3), "1,2,3");
  EXPECT_EQ(stat(x.b, "index_reloads"), "1");
  EXPECT_EQ(stat(x.b, "index_changes_applied"), "0");
  EXPECT_EQ(stat(x.b, "index_vectors"), "10");
  // The same transaction committed: b applies it from the log.
  x.a.exec("BEGIN");
  insert(x.a, 20, "[1,0]");
  EXPECT_EQ(top(x.a, "[1,0]", 1), "20");
  x.a.exec("COMMIT");
  EXPECT_EQ(top(x.b, "[1,0]", 1), "20");
  EXPECT_EQ(stat(x.b, "index_reloads"), "1");
  x.b.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(SharedIndex, SavepointsAndFailedStatementsInsideATransaction) {
  Fixture x;
  EXPECT_EQ(top(x.a, "[1,0]", 1), "1");
  x.a.exec("BEGIN");
  insert(x.a, 20, "[1,0]");
  x.a.exec("SAVEPOINT s");
  insert(x.a, 21, "[1,0.001]");
  x.a.exec("DELETE FROM ex WHERE rowid = 20");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "21,1");
  x.a.exec("ROLLBACK TO s");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "20,1");
  EXPECT_NE(x.a.error_of("INSERT INTO ex(rowid, request, response, embedding) VALUES"
                          "(30, 'a', 'b', '[1,0]'), (31, 'a', 'b', '[1]')"),
            "");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "20,1");
  insert(x.a, 22, "[1,0.002]");
  EXPECT_EQ(top(x.a, "[1,0]", 3), "20,22,1");
  EXPECT_EQ(top(x.b, "[1,0]", 3), "1,2,3");
  x.a.exec("COMMIT");
  EXPECT_EQ(top(x.b, "[1,0]", 3), "20,22,1");
  EXPECT_EQ(top(x.a, "[1,0]", 3), "20,22,1");
  x.a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(SharedIndex, FirstUseInsideAWriteTransaction) {
  Fixture x;  // nobody has loaded the shared index yet
  x.b.exec("BEGIN IMMEDIATE");
  insert(x.b, 20, "[1,0]");
  EXPECT_EQ(top(x.b, "[1,0]", 2), "20,1");  // a private index for this transaction
  x.b.exec("COMMIT");
  EXPECT_EQ(top(x.b, "[1,0]", 2), "20,1");  // handed to the shared one after commit
  EXPECT_EQ(top(x.a, "[1,0]", 2), "20,1");
  EXPECT_EQ(stat(x.a, "index_reloads"), "0");  // the shared cache never read the file itself
  EXPECT_EQ(stat(x.a, "index_vectors"), "11");
}

TEST(SharedIndex, TrainingInsideATransactionIsHandedOverAfterCommit) {
  Fixture x;
  for (int i = 11; i <= 60; ++i) insert(x.a, i, "[1," + std::to_string(i) + "]");
  EXPECT_EQ(top(x.b, "[1,0]", 2), "11,12");
  x.a.exec("BEGIN");
  x.a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  insert(x.a, 61, "[1,0]");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "61,11");
  EXPECT_EQ(stat(x.b, "index_lists"), "1");  // b: still the untrained, committed index
  EXPECT_EQ(top(x.b, "[1,0]", 2), "11,12");
  x.a.exec("COMMIT");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "61,11");
  EXPECT_EQ(stat(x.b, "index_lists"), "8");
  EXPECT_EQ(top(x.b, "[1,0]", 2), "61,11");
  EXPECT_EQ(stat(x.b, "index_reloads"), "1");  // adopted, not reloaded
}

TEST(SharedIndex, LongReadTransactionSkipsWhatItsSnapshotLacks) {
  Fixture x;
  EXPECT_EQ(top(x.b, "[1,0]", 2), "1,2");
  x.b.exec("BEGIN");
  EXPECT_EQ(x.b.scalar("SELECT count(*) FROM ex"), "10");  // b's snapshot starts here
  insert(x.a, 20, "[1,0]");
  EXPECT_EQ(top(x.a, "[1,0]", 2), "20,1");  // the shared index moves past b's snapshot
  // b's snapshot lacks 20: skipped, never an error; its rows are what it reads.
  EXPECT_EQ(top(x.b, "[1,0]", 2), "1");
  EXPECT_EQ(x.b.scalar("SELECT count(*) FROM ex"), "10");
  x.b.exec("COMMIT");
  EXPECT_EQ(top(x.b, "[1,0]", 2), "20,1");
}

TEST(SharedIndex, MemoryAndTempDatabasesStayPrivate) {
  Db a;
  a.exec(kCreate);
  insert(a, 1, "[1,0]");
  EXPECT_EQ(top(a, "[1,0]"), "1");
  EXPECT_EQ(stat(a, "index_shared_by"), "0");
  TempFile f;
  Db b(f.path());
  b.exec("CREATE VIRTUAL TABLE temp.ex USING iccache(dim=2, embedder='none')");
  insert(b, 1, "[1,0]");
  EXPECT_EQ(top(b, "[1,0]"), "1");
  EXPECT_EQ(stat(b, "index_shared_by"), "0");
}

TEST(SharedIndex, DropAndCreateAgainIsANewIndex) {
  Fixture x;
  EXPECT_EQ(top(x.b, "[1,0]", 1), "1");
  x.a.exec("DROP TABLE ex");
  x.a.exec(kCreate);
  insert(x.a, 5, "[1,0]");
  EXPECT_EQ(top(x.a, "[1,0]", 3), "5");
  EXPECT_EQ(top(x.b, "[1,0]", 3), "5");
}

// Eight threads, each with its own connection to one WAL file: inserting, selecting,
// routing, giving feedback, rolling back. Exact final counts; the ThreadSanitizer build
// (scripts/tsan.sh) runs this to check the shared index's locking.
TEST(SharedIndex, EightThreadsInsertSelectRouteFeedbackRollback) {
  TempFile f;
  constexpr int kThreads = 8, kRounds = 25;
  // text_index='vector': MATCH with text searches the shared vector index under test.
  const int failures = run_threads(
      f.path(), "CREATE VIRTUAL TABLE ex USING iccache(dim=8, ivf_min=1000000, seed=1, text_index='vector')",
      kThreads, [&](ThreadDb& conn, int t) {
        auto run = [&](const std::string& sql) { conn.run(sql); };
        auto value = [&](const std::string& sql) { return conn.value(sql); };
        for (int r = 0; r < kRounds; ++r) {
          const std::string id = std::to_string(1 + t * 1000 + r);
          run("INSERT INTO ex(rowid, request, response) VALUES(" + id + ", 'question " + id +
              " about topic " + std::to_string(r % 5) + "', 'answer " + id + "')");
          run("SELECT rowid FROM ex WHERE ex MATCH 'question about topic " + std::to_string(r % 5) +
              "' AND k = 3");
          run("BEGIN IMMEDIATE; INSERT INTO ex(rowid, request, response) VALUES(" + std::to_string(500 + t * 1000 + r) +
              ", 'rolled back', 'x'); SELECT count(*) FROM ex WHERE ex MATCH 'rolled back' AND k = 2; ROLLBACK");
          // Writing functions run inside BEGIN IMMEDIATE (docs/reliability.md): a statement
          // that already reads cannot wait for the write lock.
          run("BEGIN IMMEDIATE");
          const std::string decision = value("SELECT decision FROM iccache_route('ex', 'question " + id + "', '[" + id + "]')");
          run("COMMIT");
          run("BEGIN IMMEDIATE; SELECT iccache_feedback('ex', " + decision + ", 0.7); COMMIT");
          run("BEGIN IMMEDIATE; SELECT iccache_example_feedback('ex', '[" + id + "]', 'small', 0.8); COMMIT");
        }
      });
  EXPECT_EQ(failures, 0);
  Db check(f.path());
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex"), std::to_string(kThreads * kRounds));
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex WHERE request = 'rolled back'"), "0");
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex_decisions"), std::to_string(kThreads * kRounds));
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex_decisions WHERE reward = 0.7"), std::to_string(kThreads * kRounds));
  EXPECT_EQ(check.scalar("SELECT sum(uses) FROM ex"), std::to_string(2 * kThreads * kRounds));
  EXPECT_EQ(stat(check, "index_vectors"), "0");  // not loaded by this fresh connection yet
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'rolled back' AND k = 4096"),
            std::to_string(kThreads * kRounds));
  EXPECT_EQ(stat(check, "index_vectors"), std::to_string(kThreads * kRounds));
  check.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
}  // namespace iccache_test
