// Knapsack eviction through SQL: exact survivors and result on a small instance, budgets
// that hold, index and shadow tables that agree, rollback, pages given back, automatic
// eviction on INSERT with budget=..., and clear errors that change nothing.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

// Every example here takes 2 + 2 + 5 ('large') + 16 x 4 + 64 = 137 bytes.
constexpr int kBytes = 137;

std::string insert_n(int from, int to, const char* created_at = nullptr) {
  std::string sql = "INSERT INTO ex(rowid, request, response, created_at) VALUES";
  for (int i = from; i <= to; ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s(%d, 'q%c', 'a%c', %s)", i == from ? " " : ", ", i,
                  'A' + i % 26, 'a' + i % 26, created_at ? created_at : std::to_string(i).c_str());
    sql += buf;
  }
  return sql;
}

TEST(ManageEvict, KeepsTheMostValuableExamplesExactly) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, half_life=100)");
  db.exec(insert_n(1, 3, "1000"));
  db.exec(insert_n(4, 4, "1150"));
  db.exec(insert_n(5, 5, "1000"));
  EXPECT_EQ(db.scalar("SELECT group_concat(bytes) FROM ex"), "137,137,137,137,137");
  db.exec("SELECT iccache_example_feedback('ex', '[2]', 'small', 1, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[2, 3]', 'small', 1, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[5]', 'small', 1, 1200)");
  // Values at t=1200: 1: 0.25, 2: 3/4, 3: 2/4, 4: 2^-0.5 = 0.707, 5: 1/4 + 1 = 1.25.
  const std::string r = db.scalar("SELECT iccache_evict('ex', 411)");
  EXPECT_EQ(r.substr(0, r.find(",\"value_kept\"")),
            "{\"evicted\":2,\"freed_bytes\":274,\"kept\":3,\"kept_bytes\":411");
  EXPECT_EQ(db.query("SELECT printf('%.4f', json_extract('" + r + "', '$.value_kept')),"
                     " json_extract('" + r + "', '$.exact')"),
            (Rows{{"0.7831", "1"}}));  // 2.7071 of 3.4571
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex"), "2,4,5");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH 'qB' AND k = 5"
                      " ORDER BY rowid)"), "2,4,5");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), "411");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // Nothing more to do when it fits.
  EXPECT_EQ(db.scalar("SELECT json_extract(iccache_evict('ex', '1KB'), '$.evicted')"), "0");
}

TEST(ManageEvict, BudgetHoldsRollbackRestoresAndPagesAreFreed) {
  TempFile f;
  Db db(f.path());
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64)");
  db.exec("BEGIN");
  db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
          " INSERT INTO ex(request, response) SELECT 'question number ' || i || ' ' || hex(randomblob(40)),"
          " 'answer ' || hex(randomblob(300)) FROM n");
  db.exec("COMMIT");
  db.exec("SELECT iccache_example_feedback('ex', (SELECT json_group_array(rowid) FROM ex WHERE rowid % 3 = 0),"
          " 'small', 1)");
  const std::string total = db.scalar("SELECT sum(bytes) FROM ex");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), total);
  const int64_t budget = std::stoll(total) / 2;
  const std::string freelist = db.scalar("PRAGMA freelist_count");

  db.exec("BEGIN");
  db.exec("SELECT iccache_evict('ex', " + std::to_string(budget) + ")");
  EXPECT_LE(std::stoll(db.scalar("SELECT sum(bytes) FROM ex")), budget);
  db.exec("ROLLBACK");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "400");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), total);
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH (SELECT request FROM ex WHERE rowid = 7) AND k = 1"), "7");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");

  const std::string r = db.scalar("SELECT iccache_evict('ex', " + std::to_string(budget) + ")");
  const int64_t kept = std::stoll(db.scalar("SELECT sum(bytes) FROM ex"));
  EXPECT_LE(kept, budget);
  EXPECT_EQ(db.scalar("SELECT json_extract('" + r + "', '$.kept_bytes')"), std::to_string(kept));
  EXPECT_EQ(db.scalar("SELECT json_extract('" + r + "', '$.freed_bytes')"), std::to_string(std::stoll(total) - kept));
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), std::to_string(kept));
  // Every example with an offload outranks every one without: all of those are kept.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE rowid % 3 = 0"), "133");
  EXPECT_GT(std::stoll(db.scalar("PRAGMA freelist_count")), std::stoll(freelist) + 20);
  // Evicted examples are gone from the index too.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'question number 1' AND k = 400"),
            db.scalar("SELECT count(*) FROM ex"));
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // A second connection sees the committed eviction.
  Db other(f.path());
  EXPECT_EQ(other.scalar("SELECT count(*) FROM ex"), db.scalar("SELECT count(*) FROM ex"));
}

TEST(ManageEvict, InsertsEvictDownToTheLowWaterMark) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, budget=4096, low_water=0.5, half_life=10)");
  for (int i = 1; i <= 40; ++i) {
    db.exec(insert_n(i, i));
    EXPECT_LE(std::stoll(db.scalar("SELECT sum(bytes) FROM ex")), 4096) << i;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE rowid = " + std::to_string(i)), "1");
  }
  // Insert 30 went over (30 x 137 = 4110): the newest 14 (<= 2048 bytes) stayed; 10 followed.
  EXPECT_EQ(db.scalar("SELECT count(*) || ' ' || min(rowid) || ' ' || max(rowid) FROM ex"), "24 17 40");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(ManageEvict, NeverEvictsInsideAReadAndRefusesOversizedExamples) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, budget=600)");
  db.exec(insert_n(1, 4));  // 548 bytes
  db.exec("UPDATE ex SET response = 'a much longer answer' WHERE rowid = 1");  // 566 bytes
  db.exec("UPDATE ex SET response = 'a much longer answer, again' WHERE rowid = 2");  // 591
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "4");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'qB' AND k = 4"), "4");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_replay"), "4");
  db.exec("CREATE VIRTUAL TABLE big USING iccache(dim=256, budget=1000)");
  EXPECT_EQ(db.error_of("INSERT INTO big(request, response) VALUES('qA', 'aA')"),
            "big: the example takes 1097 bytes, more than the whole budget of 1000 bytes; expected"
            " an example that fits the budget (or a larger budget=...)");
  EXPECT_EQ(db.scalar("SELECT count(*) || ' ' || (SELECT value FROM big_state WHERE key = 'bytes') FROM big"),
            "0 0");
  db.exec(insert_n(5, 5));  // over budget: evicts down to 540 bytes, keeping the new one
  EXPECT_LE(std::stoll(db.scalar("SELECT sum(bytes) FROM ex")), 540);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE rowid = 5"), "1");
}

TEST(ManageEvict, BadArgumentsAreRefusedAndChangeNothing) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
  db.exec(insert_n(1, 3));
  EXPECT_EQ(db.error_of("SELECT iccache_evict('ex')"),
            "iccache_evict: table ex has no budget option; expected a budget argument such as"
            " iccache_evict('ex', '256MB')");
  for (const char* bad : {"0", "-5", "'abc'", "NULL", "1.5", "'-1KB'"}) {
    EXPECT_EQ(db.error_of(std::string("SELECT iccache_evict('ex', ") + bad + ")"),
              "iccache_evict: budget must be a positive size in bytes such as 1048576, '512KB',"
              " '256MB' or '1.5GB'; received " + std::string(bad));
  }
  EXPECT_EQ(db.error_of("SELECT iccache_evict('nope', 10)"),
            "iccache_evict: there is no iccache table named 'nope'; expected the name of a table"
            " created with USING iccache(...)");
  EXPECT_EQ(db.error_of("SELECT iccache_evict(1, 10)"),
            "iccache_evict: the first argument must be the name of an iccache table (TEXT); received 1");
  db.exec("PRAGMA query_only = 1");
  EXPECT_NE(db.error_of("SELECT iccache_evict('ex', 200)").find("readonly"), std::string::npos);
  db.exec("PRAGMA query_only = 0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "3");
  // Not callable from views or triggers (it writes).
  db.exec("CREATE VIEW v AS SELECT iccache_evict('ex', 200)");
  EXPECT_NE(db.error_of("SELECT * FROM v").find("unsafe use of iccache_evict"), std::string::npos);
}

TEST(ManageEvict, ByteTotalFollowsEveryWriteAndWorksInDefensiveMode) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, budget='100KB')");
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  db.exec(insert_n(1, 10));
  db.exec("UPDATE ex SET response = 'longer response text' WHERE rowid = 3");
  db.exec("DELETE FROM ex WHERE rowid = 4");
  db.exec("INSERT OR REPLACE INTO ex(rowid, request, response) VALUES (5, 'x', 'replaced')");
  db.exec("UPDATE ex SET rowid = 50 WHERE rowid = 6");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), db.scalar("SELECT sum(bytes) FROM ex"));
  EXPECT_EQ(db.scalar("SELECT json_extract(iccache_evict('ex', 500), '$.kept')"), "3");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), db.scalar("SELECT sum(bytes) FROM ex"));
}

}  // namespace
