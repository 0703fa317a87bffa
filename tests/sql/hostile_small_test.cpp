// Issue 11 items 8 and 12: the smaller hostile probes (a command INSERT that also carries a
// row, rowid = 2.0, the minimum rowid in example ids, NUL and BLOB table names, what a bad k
// or table argument says) and read-only databases (integrity check runs; errors name the
// read-only file, not the internal SQL that failed).
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

void make(Db& db) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(2, 'two', 'b'), (-9223372036854775808, 'min', 'm')");
}

TEST(HostileSmall, CommandWithARowIsRefused) {
  Db db;
  make(db);
  EXPECT_EQ(db.error_of("INSERT INTO ex(ex, request, response) VALUES('optimize', 'x', 'y')"),
            "ex: a command in the ex column cannot come with a value for request; expected INSERT"
            " INTO ex(ex) VALUES('command') alone, and rows in an INSERT of their own");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "2");
}

TEST(HostileSmall, RowidAsARealFindsTheRow) {
  Db db;
  make(db);
  EXPECT_EQ(db.scalar("SELECT response FROM ex WHERE rowid = 2.0"), "b");
  EXPECT_EQ(db.query("SELECT response FROM ex WHERE rowid = 2.5"), Rows{});
}

TEST(HostileSmall, UpdateOrReplaceReplacesTheRowInTheWay) {
  Db db;
  make(db);
  EXPECT_NE(db.error_of("UPDATE ex SET rowid = 2 WHERE rowid = -9223372036854775808"), "");
  db.exec("UPDATE OR REPLACE ex SET rowid = 2 WHERE rowid = -9223372036854775808");
  EXPECT_EQ(db.query("SELECT rowid, response FROM ex"), (Rows{{"2", "m"}}));
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'min' AND k = 5"), "2");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(HostileSmall, FutureAtDoesNotPruneOthersDecisions) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, decision_ttl=60)");
  for (int i = 0; i < 7; ++i) db.exec("SELECT * FROM iccache_route('ex', 'q')");
  // The 8th call prunes; its `at` is a year ahead of the clock.
  db.exec("SELECT * FROM iccache_route('ex', 'q', NULL, unixepoch() + 31536000)");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "8");
}

TEST(HostileSmall, CountersSaturateInsteadOfWrapping) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  db.exec("INSERT INTO ex(rowid, request, response, uses, offloads) VALUES"
          " (1, 'q', 'a', 9223372036854775807, 9223372036854775807)");
  db.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 1)");
  EXPECT_EQ(db.query("SELECT uses, offloads FROM ex"),
            (Rows{{"9223372036854775807", "9223372036854775807"}}));
}

TEST(HostileSmall, RouteTakesTheMinimumRowid) {
  Db db;
  make(db);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM iccache_route('ex', 'min', '[-9223372036854775808]')"), "1");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_route('ex', 'min', '[-9223372036854775809]')"),
            "iccache_route: example_ids_json must be a JSON array of example ids such as [3, 7, 9]"
            " (or NULL for none); received '[-9223372036854775809]'");
}

TEST(HostileSmall, TableNamesMustBePlainText) {
  Db db;
  make(db);
  EXPECT_EQ(db.error_of("SELECT iccache_load('ex' || char(0) || 'junk')"),
            "iccache_load: the table name 'ex\\0junk' holds a NUL byte; expected the name of a table"
            " created with USING iccache(...)");
  EXPECT_EQ(db.error_of("SELECT iccache_load(CAST('ex' AS BLOB))"),
            "iccache_load: the first argument must be the name of an iccache table (TEXT); received"
            " a BLOB of 2 bytes");
  EXPECT_EQ(db.error_of("SELECT iccache_evict(NULL)"),
            "iccache_evict: the first argument must be the name of an iccache table (TEXT); received NULL");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_stats(x'6578')"),
            "iccache_stats: the first argument must be the name of an iccache table (TEXT); received"
            " a BLOB of 2 bytes");
}

TEST(HostileSmall, KAsABlobSaysWhatItGot) {
  Db db;
  make(db);
  EXPECT_EQ(db.error_of("SELECT * FROM ex WHERE ex MATCH 'two' AND k = x'01'"),
            "ex.k: expected an integer from 1 to 4096; received a BLOB of 1 bytes");
}

TEST(HostileSmall, ReadOnlyDatabase) {
  Db db;
  make(db);
  db.exec("PRAGMA query_only = 1");
  EXPECT_EQ(db.scalar("SELECT iccache_integrity_check('ex')"), "ok");
  const std::string refused =
      "iccache: this call writes to the cache, but the database is read-only (attempt to write a"
      " readonly database); expected a database opened read-write (read-only files allow MATCH,"
      " iccache_prompt, iccache_stats, ex_replay and iccache_integrity_check)";
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_route('ex', 'two', '[2]')"), refused);
  // (the write lock is refused first here, before any SQL of the extension runs)
  EXPECT_EQ(db.error_of("SELECT iccache_load('ex', 3)"), "iccache_load: attempt to write a readonly database");
  EXPECT_EQ(db.scalar("SELECT response FROM ex WHERE ex MATCH 'two' AND k = 1"), "b");
  db.exec("PRAGMA query_only = 0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "0");
}

}  // namespace
