// The replay queue: ex_replay's order, cut-off and LIMIT are exact; a replay (UPDATE of the
// response) is recorded and resets the gain; the view follows RENAME and DROP.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

// Expected gains at now=1100 with a 100 s half-life (recent uses decayed one half-life):
//   1: gain 0.5 (large, reward 0.5)  x 1 use  x 1/2 = 0.25
//   2: gain 0.9 (large, reward 0.1)  x 2 uses x 1/2 = 0.9
//   3: gain 0.0 (large, reward 1.0)                  = 0
//   4: gain 0.25 (large, reward 0.75) x 2 uses x 1/2 = 0.25 (ties with 1: lower rowid first)
//   5: no feedback                                    = 0
void setup(Db& db) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, half_life=100, ema_alpha=1)");
  db.exec("INSERT INTO ex(rowid, request, response, quality, created_at) VALUES"
          " (1, 'one', 'r1', 0.5, 900), (2, 'two', 'r2', 0.5, 900), (3, 'three', 'r3', 0.5, 900),"
          " (4, 'four', 'r4', 0.5, 900), (5, 'five', 'r5', 0.5, 900)");
  db.exec("SELECT iccache_example_feedback('ex', '[1]', 'large', 0.5, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[2, 4]', 'large', 0.1, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[2]', 'large', 0.1, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[4]', 'large', 0.75, 1000)");
  db.exec("SELECT iccache_example_feedback('ex', '[3]', 'large', 1.0, 1000)");
}

TEST(ManageReplay, OrderCutOffAndLimitAreExact) {
  Db db;
  setup(db);
  EXPECT_EQ(db.query("SELECT rowid, request, printf('%.3f', gain), printf('%.3f', expected_gain), uses"
                     " FROM ex_replay WHERE now = 1100"),
            (Rows{{"2", "two", "0.900", "0.900", "2"},
                  {"1", "one", "0.500", "0.250", "1"},
                  {"4", "four", "0.250", "0.250", "2"},
                  {"3", "three", "0.000", "0.000", "1"},
                  {"5", "five", "0.000", "0.000", "0"}}));
  // Replay while the expected gain exceeds the cost.
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE replay_cost = 0.2 AND now = 1100"),
            (Rows{{"2"}, {"1"}, {"4"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE replay_cost = 0.25 AND now = 1100"), (Rows{{"2"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE replay_cost = 0.2 AND now = 1100 LIMIT 2"),
            (Rows{{"2"}, {"1"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE now = 1100 LIMIT 2 OFFSET 2"), (Rows{{"4"}, {"3"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE replay_cost = 5 AND now = 1100"), Rows{});
  // Two half-lives later every expected gain has halved again.
  EXPECT_EQ(db.scalar("SELECT printf('%.3f', expected_gain) FROM ex_replay WHERE now = 1200 LIMIT 1"), "0.450");
  // The function form takes the same inputs as arguments.
  EXPECT_EQ(db.query("SELECT rowid FROM iccache_replay('ex', 0.2, 1100)"), (Rows{{"2"}, {"1"}, {"4"}}));
  // ORDER BY expected_gain DESC is the natural order; LIMIT and the cost reach the function.
  const Rows plan = db.query(
      "EXPLAIN QUERY PLAN SELECT rowid FROM ex_replay WHERE replay_cost = 0.2"
      " ORDER BY expected_gain DESC LIMIT 5");
  // No sorter step; the view's second step reads its own table's identity (registry.h).
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].back(), "SCAN iccache_replay VIRTUAL TABLE INDEX 51:");  // table 1 + cost 2 + identity 16 + limit 32
  EXPECT_EQ(plan[1].back(), "SCALAR SUBQUERY 3");
}

TEST(ManageReplay, UpdatingTheResponseRecordsAReplay) {
  Db db;
  setup(db);
  db.exec("UPDATE ex SET response = 'a better answer', quality = 0.95 WHERE rowid = 2");
  EXPECT_EQ(db.query("SELECT replays, prev_quality, replayed_at > 1.7e9, gain, quality_ema, ema_count"
                     " FROM ex_data WHERE id = 2"),
            (Rows{{"1", "0.5", "1", "0.0", "0.0", "0"}}));
  EXPECT_EQ(db.query("SELECT rowid, response, quality, uses FROM ex WHERE rowid = 2"),
            (Rows{{"2", "a better answer", "0.95", "2"}}));  // uses are kept
  EXPECT_EQ(db.query("SELECT rowid FROM ex_replay WHERE replay_cost = 0.2 AND now = 1100"),
            (Rows{{"1"}, {"4"}}));
  // Other updates are not replays.
  db.exec("UPDATE ex SET quality = 0.7, tenant = 't' WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT replays || ',' || printf('%.1f', gain) FROM ex_data WHERE id = 1"), "0,0.5");
  // The next feedback starts the EMA again from its own observation.
  db.exec("SELECT iccache_example_feedback('ex', '[2]', 'large', 0.8, 1100)");
  EXPECT_EQ(db.scalar("SELECT printf('%.3f', gain) FROM ex WHERE rowid = 2"), "0.200");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(ManageReplay, ViewFollowsRenameAndDrop) {
  Db db;
  setup(db);
  db.exec("ALTER TABLE ex RENAME TO ey");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ey_replay"), "5");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ex%'"), "0");
  db.exec("DROP TABLE ey");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema"), "0");
  db.exec("CREATE VIRTUAL TABLE ey USING iccache(dim=4)");  // the names are free again
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ey_replay"), "0");
}

TEST(ManageReplay, BadArgumentsAreExplained) {
  Db db;
  setup(db);
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_replay"),
            "iccache_replay: expected the name of an iccache table: iccache_replay('ex')");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_replay('nope')"),
            "iccache_replay: there is no iccache table named 'nope'; expected the name of a table"
            " created with USING iccache(...)");
  EXPECT_EQ(db.error_of("SELECT * FROM ex_replay WHERE replay_cost = 'x'"),
            "iccache_replay: replay_cost must be a number >= 0; received 'x'");
  EXPECT_EQ(db.error_of("SELECT * FROM ex_replay WHERE replay_cost = -1"),
            "iccache_replay: replay_cost must be a number >= 0; received -1");
}

}  // namespace
