// Selection's per-example scoring attributes, shared per process next to the index
// (ext/select/select_store.cpp follow_attributes): a foreign write or feedback is visible in the next
// MATCH's utilities and costs exactly the rows it changed (ex_stats select_rows_read); a
// connection's uncommitted writes score only in its own MATCH, and a rollback leaves the
// shared cache as it was. Also a many-thread test the ThreadSanitizer build runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

// The cold-start utility (no feedback learned yet): sigmoid(-3 + 6 x similarity x quality).
std::string u(double similarity, double quality) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", 1 / (1 + std::exp(3 - 6 * similarity * quality)));
  return buf;
}

// Examples 1..4 at similarity 1, 0.8, 0.6, 0 to the query [1,0].
const char* kVectors[] = {"[1,0]", "[0.8,0.6]", "[0.6,0.8]", "[0,1]"};
const double kSims[] = {1, 0.8, 0.6, 0};

// "id:utility" of every example, in rowid order, for the query [1,0].
std::string scores(Db& db) {
  return db.scalar("SELECT group_concat(rowid || ':' || printf('%.6f', utility), ' ') FROM (SELECT rowid, utility FROM ex"
                   " WHERE ex MATCH iccache_vector('[1,0]') AND k = 4 ORDER BY rowid)");
}
std::string expected(const double (&quality)[4]) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += (i ? " " : "") + std::to_string(i + 1) + ":" + u(kSims[i], quality[i]);
  return out;
}
int64_t rows_read(Db& db) {
  return std::stoll(db.scalar("SELECT value FROM ex_stats WHERE key = 'select_rows_read'"));
}

// Utilities to 9 places (a learnt model's small weights show there). The examples are
// created in the future (2096), so their age feature is 0 whenever the test runs.
std::string fine_scores(Db& db) {
  return db.scalar("SELECT group_concat(rowid || ':' || printf('%.9f', utility), ' ') FROM (SELECT rowid, utility FROM ex"
                   " WHERE ex MATCH iccache_vector('[1,0]') AND k = 4 ORDER BY rowid)");
}
// fine_scores computed by a connection to a copy of the file (another inode: its own
// attribute cache, so every row is read from the file).
std::string reference(Db& db) {
  TempFile copy;
  std::remove(copy.path().c_str());
  db.exec("VACUUM INTO '" + copy.path() + "'");
  Db fresh(copy.path());
  const std::string out = fine_scores(fresh);
  EXPECT_EQ(rows_read(fresh), 4);
  return out;
}

struct Two : SharedFile {
  Two() : SharedFile("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', models='small:0.25,large:1')", true) {
    for (int i = 0; i < 4; ++i)
      a.exec("INSERT INTO ex(rowid, request, response, embedding, quality, created_at) VALUES(" + std::to_string(i + 1) +
             ", 'q" + std::to_string(i + 1) + "', 'a', '" + kVectors[i] + "', 0.5, 4000000000)");
  }
};

TEST(SharedAttributes, ConnectionsShareThemAndForeignWritesCostOnlyTheirRows) {
  Two x;
  double q[4] = {0.5, 0.5, 0.5, 0.5};
  EXPECT_EQ(scores(x.a), expected(q));
  EXPECT_EQ(rows_read(x.a), 4);
  EXPECT_EQ(scores(x.b), expected(q));
  EXPECT_EQ(rows_read(x.b), 0);  // a filled the process's cache
  // A committed UPDATE by a: b's next MATCH scores the new quality, reading that row only.
  x.a.exec("UPDATE ex SET quality = 1.0 WHERE rowid = 2");
  q[1] = 1.0;
  EXPECT_EQ(scores(x.b), expected(q));
  EXPECT_EQ(rows_read(x.b), 1);
  EXPECT_EQ(scores(x.a), expected(q));
  EXPECT_EQ(rows_read(x.a), 4);  // b already read it into the shared cache
  // Feedback on example 1 changes its uses and offloads (not its quality column): b reads
  // that row again, and with a model that has learnt from feedback its utility moves.
  for (int i = 0; i < 6; ++i) {
    const std::string d = x.a.scalar("SELECT decision FROM iccache_route('ex', iccache_vector('[1,0]'), '[1,2]', 1000)");
    x.a.exec("SELECT iccache_feedback('ex', " + d + ", " + (i % 2 ? "0.9" : "0.2") + ")");
  }
  const std::string learnt = fine_scores(x.b);
  const int64_t b_read = rows_read(x.b);
  x.a.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 1.0, 1100)");
  const std::string after = fine_scores(x.b);
  EXPECT_EQ(rows_read(x.b), b_read + 1);
  EXPECT_NE(after, learnt);
  EXPECT_EQ(after, reference(x.a));  // what a connection that reads every row computes
  // A deleted example and a new one.
  x.a.exec("DELETE FROM ex WHERE rowid = 4");
  x.a.exec("INSERT INTO ex(rowid, request, response, embedding, quality, created_at) VALUES(4, 'q4', 'a', '[0,1]', 0.9, 4000000000)");
  EXPECT_EQ(fine_scores(x.b), reference(x.a));
  EXPECT_EQ(rows_read(x.b), b_read + 2);
}

TEST(SharedAttributes, UncommittedWritesScoreOnlyForTheWriterAndRollbackLeavesTheCache) {
  Two x;
  double q[4] = {0.5, 0.5, 0.5, 0.5};
  EXPECT_EQ(scores(x.b), expected(q));
  EXPECT_EQ(rows_read(x.b), 4);
  x.a.exec("BEGIN");
  x.a.exec("UPDATE ex SET quality = 0.1 WHERE rowid = 3");
  x.a.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 1.0, 1100)");
  double mine[4] = {std::stod(x.a.scalar("SELECT quality FROM ex WHERE rowid = 1")), 0.5, 0.1, 0.5};
  EXPECT_EQ(scores(x.a), expected(mine));  // its own uncommitted writes
  EXPECT_EQ(rows_read(x.a), 2);            // just those two, from its own view
  EXPECT_EQ(scores(x.b), expected(q));     // not b's
  EXPECT_EQ(rows_read(x.b), 4);
  x.a.exec("SAVEPOINT s");
  x.a.exec("UPDATE ex SET quality = 1.0 WHERE rowid = 2");
  mine[1] = 1.0;
  EXPECT_EQ(scores(x.a), expected(mine));
  x.a.exec("ROLLBACK TO s");
  mine[1] = 0.5;
  EXPECT_EQ(scores(x.a), expected(mine));
  x.a.exec("ROLLBACK");
  EXPECT_EQ(scores(x.a), expected(q));
  EXPECT_EQ(scores(x.b), expected(q));
  const int64_t a_read = rows_read(x.a);
  EXPECT_EQ(rows_read(x.b), 4);  // the shared cache was never touched
  EXPECT_EQ(scores(x.a), expected(q));
  EXPECT_EQ(rows_read(x.a), a_read);
  // The same writes committed: both see them.
  x.a.exec("BEGIN");
  x.a.exec("UPDATE ex SET quality = 0.1 WHERE rowid = 3");
  x.a.exec("COMMIT");
  q[2] = 0.1;
  EXPECT_EQ(scores(x.b), expected(q));
  EXPECT_EQ(rows_read(x.b), 5);
  EXPECT_EQ(scores(x.a), expected(q));
}

TEST(SharedAttributes, ALongReadTransactionScoresItsSnapshot) {
  Two x;
  double q[4] = {0.5, 0.5, 0.5, 0.5};
  EXPECT_EQ(scores(x.b), expected(q));
  x.b.exec("BEGIN");
  EXPECT_EQ(scores(x.b), expected(q));  // the snapshot starts here
  x.a.exec("UPDATE ex SET quality = 1.0 WHERE rowid = 1");
  double now[4] = {1.0, 0.5, 0.5, 0.5};
  EXPECT_EQ(scores(x.a), expected(now));  // moves the shared cache past b's snapshot
  EXPECT_EQ(scores(x.b), expected(q));    // b reads its own rows
  x.b.exec("COMMIT");
  EXPECT_EQ(scores(x.b), expected(now));
}

TEST(SharedAttributes, InMemoryTablesFollowTheirOwnRollbacks) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', models='small:0.25,large:1')");
  for (int i = 0; i < 4; ++i)
    db.exec("INSERT INTO ex(rowid, request, response, embedding, quality, created_at) VALUES(" + std::to_string(i + 1) +
            ", 'q', 'a', '" + kVectors[i] + "', 0.5, 1000)");
  double q[4] = {0.5, 0.5, 0.5, 0.5};
  EXPECT_EQ(scores(db), expected(q));
  db.exec("BEGIN");
  db.exec("UPDATE ex SET quality = 1.0 WHERE rowid = 2");
  double mine[4] = {0.5, 1.0, 0.5, 0.5};
  EXPECT_EQ(scores(db), expected(mine));
  EXPECT_EQ(rows_read(db), 5);
  db.exec("ROLLBACK");
  EXPECT_EQ(scores(db), expected(q));
  EXPECT_EQ(rows_read(db), 9);  // history diverged: the private cache starts over
}

// Eight threads, a connection each, on one file: each owns example t + 1 and sets its
// quality (committed, then inside a transaction it rolls back), checking after each step
// that its MATCH scores exactly the quality its own view holds, while the others write.
TEST(SharedAttributes, EightThreadsSeeTheirOwnCommittedAndUncommittedQualities) {
  TempFile f;
  constexpr int kThreads = 8, kRounds = 20;
  std::string setup = "CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', ivf_min=1000000);";
  for (int t = 0; t < kThreads; ++t) {
    const double angle = 0.1 * t;
    setup += "INSERT INTO ex(rowid, request, response, embedding, quality, created_at) VALUES(" +
             std::to_string(t + 1) + ", 'q', 'a', '[" + std::to_string(std::cos(angle)) + "," +
             std::to_string(std::sin(angle)) + "]', 0.5, 1000);";
  }
  const int failures = run_threads(f.path(), setup, kThreads, [&](ThreadDb& conn, int t) {
      sqlite3* db = conn.get();
      const std::string id = std::to_string(t + 1);
      auto run = [&](const std::string& sql) { conn.run(sql); };
      // "similarity utility" of this thread's example in its MATCH.
      auto mine = [&] {
        sqlite3_stmt* st = nullptr;
        std::string out = "missing";
        const std::string sql = "SELECT printf('%.17g %.6f', similarity, utility) FROM ex WHERE ex MATCH"
                                " iccache_vector('[1,0]') AND k = 8 AND rowid = " + id;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
          out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return out;
      };
      auto check = [&](double quality, const char* when) {
        const std::string got = mine();
        const double s = got == "missing" ? 0 : std::stod(got);
        if (got.substr(got.find(' ') + 1) != u(s, quality))
          conn.fail("thread " + std::to_string(t) + " " + when + ": quality " + std::to_string(quality) + ", got " + got);
      };
      for (int r = 0; r < kRounds; ++r) {
        const double committed = 0.05 * ((t + r) % 20), pending = 1 - committed;
        run("UPDATE ex SET quality = " + std::to_string(committed) + " WHERE rowid = " + id);
        check(committed, "after commit");
        run("BEGIN IMMEDIATE");
        run("UPDATE ex SET quality = " + std::to_string(pending) + " WHERE rowid = " + id);
        check(pending, "inside its transaction");
        run("ROLLBACK");
        check(committed, "after rollback");
      }
    });
  EXPECT_EQ(failures, 0);
  Db c(f.path());
  EXPECT_EQ(c.scalar("SELECT group_concat(printf('%.2f', quality), ' ') FROM (SELECT quality FROM ex ORDER BY rowid)"),
            "0.95 0.00 0.05 0.10 0.15 0.20 0.25 0.30");
}

}  // namespace
}  // namespace iccache_test
