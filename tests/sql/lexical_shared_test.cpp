// One lexical index per process per file and table (engine/lexical/lexical_follower.h, the
// registry of engine/index/shared_registry.h): connections share it, see their own
// uncommitted writes (overlay), never see others' uncommitted writes, a rollback leaves the
// shared index untouched, a new IDF count by another connection reloads it once for all,
// and reopening scores the same. Also the many-thread case the ThreadSanitizer build runs
// (scripts/tsan.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "lexical_test_util.h"
#include "sql_test_util.h"

namespace iccache_test {
namespace {


// Two connections to one WAL file; 20 fillers (the last IDF count at 16: the writes below
// stay under 32, so no count moves the weights unless a test says so).
struct Fixture : SharedFile {
  Fixture() : SharedFile("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')", true) {
    fill(a, 1, 20);
  }
};

// The scores, by hand (docs/selection.md): counts of the 16 fillers give the shared words
// and pairs idf 1 and a number or an unseen word ln(17/2) + 1 = 3.1401. 'filler request
// number 7' vs '... 1': shared 3 x 1 + 2 x 0.7^2 = 3.98 over |v|^2 = 3.98 + 3.1401^2 +
// (0.7 x 3.1401)^2 = 18.672: 0.2132 (at 32 counted: idf ln(33/2) + 1, 0.1559). 'zebra
// crossing' vs 'zebra crossing ahead' (all idf 3.1401): 2.49 / sqrt(2.49 x 3.98) = 0.7910.
TEST(LexicalShared, ConnectionsOfOneProcessShareOneIndex) {
  Fixture x;
  EXPECT_EQ(top(x.b, "filler request number 7", 2), "7:1.0000 1:0.2132");
  EXPECT_EQ(top(x.a, "filler request number 7", 2), "7:1.0000 1:0.2132");
  EXPECT_EQ(stat(x.a, "lexical_shared_by"), "2");
  EXPECT_EQ(stat(x.a, "lexical_reloads"), "1");  // loaded once, by b
  EXPECT_EQ(stat(x.a, "lexical_documents"), "20");
  x.a.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing ahead', 'a')");
  EXPECT_EQ(top(x.b, "zebra crossing", 1), "100:0.7910");  // b catches the shared index up
  EXPECT_EQ(top(x.a, "zebra crossing", 1), "100:0.7910");  // a finds it current
  EXPECT_EQ(stat(x.a, "lexical_changes_applied"), "1");
  EXPECT_EQ(stat(x.a, "lexical_reloads"), "1");
  Db c(x.file.path());
  EXPECT_EQ(top(c, "zebra crossing", 1), "100:0.7910");  // a new connection loads nothing:
  EXPECT_EQ(stat(c, "lexical_reloads"), "1");            // the index b loaded and caught up
  EXPECT_EQ(stat(c, "lexical_changes_applied"), "1");
  EXPECT_EQ(stat(c, "lexical_shared_by"), "3");
  // The vector index is shared on its own terms (nothing loads it for text MATCH here).
  EXPECT_EQ(stat(c, "index_shared_by"), "3");
}

TEST(LexicalShared, ReadYourWritesOthersNeverSeeThemRollbackLeavesItUntouched) {
  Fixture x;
  EXPECT_EQ(top(x.b, "zebra crossing", 2), "1:0.0000 2:0.0000");
  x.a.exec("BEGIN");
  x.a.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing', 'a')");
  x.a.exec("DELETE FROM ex WHERE rowid = 1");
  x.a.exec("UPDATE ex SET request = 'zebra crossing ahead' WHERE rowid = 5");
  EXPECT_EQ(top(x.a, "zebra crossing", 3), "100:1.0000 5:0.7910 2:0.0000");  // its own writes
  EXPECT_EQ(top(x.b, "zebra crossing", 3), "1:0.0000 2:0.0000 3:0.0000");    // not b's
  EXPECT_EQ(stat(x.a, "lexical_reloads"), "1");  // served by the shared index + a's overlay
  x.a.exec("ROLLBACK");
  EXPECT_EQ(top(x.a, "zebra crossing", 3), "1:0.0000 2:0.0000 3:0.0000");
  EXPECT_EQ(top(x.b, "zebra crossing", 3), "1:0.0000 2:0.0000 3:0.0000");
  EXPECT_EQ(stat(x.b, "lexical_reloads"), "1");
  EXPECT_EQ(stat(x.b, "lexical_changes_applied"), "0");
  EXPECT_EQ(stat(x.b, "lexical_documents"), "20");
  // The same transaction committed: b applies it from the log.
  x.a.exec("BEGIN");
  x.a.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing', 'a')");
  x.a.exec("SAVEPOINT s");
  x.a.exec("UPDATE ex SET request = 'zebra crossing ahead' WHERE rowid = 5");
  EXPECT_EQ(top(x.a, "zebra crossing", 2), "100:1.0000 5:0.7910");
  x.a.exec("ROLLBACK TO s");
  EXPECT_EQ(top(x.a, "zebra crossing", 2), "100:1.0000 1:0.0000");
  // A failed statement takes its change with it.
  EXPECT_NE(x.a.error_of("INSERT INTO ex(rowid, request, response) VALUES(101, 'zebra', 'a'), (100, 'x', 'y')"), "");
  EXPECT_EQ(top(x.a, "zebra crossing", 2), "100:1.0000 1:0.0000");
  x.a.exec("COMMIT");
  EXPECT_EQ(top(x.b, "zebra crossing", 2), "100:1.0000 1:0.0000");
  EXPECT_EQ(stat(x.b, "lexical_reloads"), "1");
  EXPECT_EQ(stat(x.b, "lexical_changes_applied"), "1");
  EXPECT_EQ(stat(x.b, "lexical_documents"), "21");
  x.b.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(LexicalShared, NewIdfCountsByAnotherConnectionReloadOnceForAll) {
  Fixture x;
  const std::string before = top(x.b, "filler request number 7");
  EXPECT_EQ(before, "7:1.0000 1:0.2132 2:0.2132");
  EXPECT_EQ(stat(x.b, "lexical_idf_n"), "16");
  x.a.exec("BEGIN");
  fill(x.a, 21, 40);  // crosses 32: new IDF counts inside a's transaction
  x.a.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing', 'a')");
  const std::string after = top(x.a, "filler request number 7");
  EXPECT_EQ(after, "7:1.0000 1:0.1559 2:0.1559");                // a: a private index
  EXPECT_EQ(top(x.a, "zebra crossing", 1), "100:1.0000");
  EXPECT_EQ(top(x.b, "filler request number 7"), before);        // b: the committed counts
  EXPECT_EQ(stat(x.b, "lexical_idf_n"), "16");
  x.a.exec("COMMIT");
  // a's private index, exactly the committed view, is handed to the shared one: b
  // finds the new counts without reloading.
  EXPECT_EQ(top(x.a, "filler request number 7"), after);
  EXPECT_EQ(top(x.b, "filler request number 7"), after);
  EXPECT_EQ(stat(x.b, "lexical_idf_n"), "32");
  EXPECT_EQ(stat(x.a, "lexical_reloads"), "1");
  EXPECT_EQ(stat(x.a, "lexical_documents"), "41");
  // Another process's count (the log says kIdf) reloads the shared index once.
  x.a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(top(x.b, "filler request number 7", 1), "7:1.0000");
  EXPECT_EQ(top(x.a, "filler request number 7", 1), "7:1.0000");
  EXPECT_EQ(stat(x.a, "lexical_idf_n"), "41");
  EXPECT_EQ(stat(x.a, "lexical_reloads"), "2");
}

TEST(LexicalShared, ReopenGivesTheSameScores) {
  std::string before;
  TempFile f;
  {
    Db a(f.path()), b(f.path());
    a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
    a.exec("BEGIN");
    fill(a, 1, 50);
    a.exec("COMMIT");
    before = top(a, "filler request number 42", 5);
    EXPECT_EQ(top(b, "filler request number 42", 5), before);
  }
  Db db(f.path());
  EXPECT_EQ(top(db, "filler request number 42", 5), before);
  EXPECT_EQ(stat(db, "lexical_reloads"), "1");  // the registry's entry ended with its connections
  EXPECT_EQ(stat(db, "lexical_shared_by"), "1");
}

TEST(LexicalShared, MemoryDatabasesStayPrivate) {
  Db a;
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
  fill(a, 1, 3);
  EXPECT_EQ(top(a, "filler request number 2", 1), "2:1.0000");
  EXPECT_EQ(stat(a, "lexical_shared_by"), "0");
}

// Eight threads, each with its own connection to one WAL file with default options (the
// lexical index answers text MATCH): inserting and finding their own text, a rolled-back
// insert seen only inside its transaction, IDF counts crossed as the table grows. Exact
// final counts; the ThreadSanitizer build (scripts/tsan.sh) runs this.
TEST(LexicalShared, EightThreadsInsertMatchRollback) {
  TempFile f;
  constexpr int kThreads = 8, kRounds = 20;
  const int failures = run_threads(
      f.path(), "CREATE VIRTUAL TABLE ex USING iccache(dim=8, ivf_min=1000000, seed=1, selection='similarity')",
      kThreads, [&](ThreadDb& conn, int t) {
        for (int r = 0; r < kRounds; ++r) {
          const std::string id = std::to_string(1 + t * 1000 + r);
          const std::string word = "w" + id + "x";  // a word no other text holds
          conn.run("INSERT INTO ex(rowid, request, response) VALUES(" + id + ", 'question " + word +
                   " about topic " + std::to_string(r % 5) + "', 'answer')");
          if (conn.value("SELECT rowid FROM ex WHERE ex MATCH '" + word + "' AND k = 1") != id)
            conn.fail("thread " + std::to_string(t) + " did not find its committed " + id);
          const std::string gone = std::to_string(500 + t * 1000 + r);
          conn.run("BEGIN IMMEDIATE");
          conn.run("INSERT INTO ex(rowid, request, response) VALUES(" + gone + ", 'rolled back r" + gone + "x', 'x')");
          if (conn.value("SELECT rowid FROM ex WHERE ex MATCH 'r" + gone + "x' AND k = 1") != gone)
            conn.fail("thread " + std::to_string(t) + " did not read its own write " + gone);
          conn.run("ROLLBACK");
          if (conn.value("SELECT rowid FROM (SELECT rowid, similarity FROM ex WHERE ex MATCH 'r" + gone +
                         "x' AND k = 1) WHERE similarity > 0") != "")
            conn.fail("thread " + std::to_string(t) + " still finds rolled-back " + gone);
        }
      });
  EXPECT_EQ(failures, 0);
  Db check(f.path());
  EXPECT_EQ(check.scalar("SELECT count(*) FROM ex"), std::to_string(kThreads * kRounds));
  auto matching = [&](const std::string& q) {
    return check.scalar("SELECT count(*) FROM (SELECT similarity FROM ex WHERE ex MATCH '" + q +
                        "' AND k = 4096) WHERE similarity > 0");
  };
  EXPECT_EQ(matching("rolled back"), "0");
  EXPECT_EQ(matching("question about topic"), std::to_string(kThreads * kRounds));
  EXPECT_EQ(stat(check, "lexical_documents"), std::to_string(kThreads * kRounds));
  check.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
}  // namespace iccache_test
