// Example statistics through SQL: iccache_example_feedback follows the formulas exactly,
// skips missing examples, never touches the vector index's generation, rolls back, and
// refuses bad input without changing anything.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Row;
using iccache_test::Rows;

namespace {

// Three examples created at t=1000; a 100 s half-life, alpha 0.5, success at reward >= 0.7.
void setup(Db& db) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, models='small:0.25,large:1',"
          " half_life=100, ema_alpha=0.5, success_reward=0.7)");
  db.exec("INSERT INTO ex(rowid, request, response, created_at) VALUES"
          " (1, 'alpha', 'a', 1000), (2, 'beta', 'b', 1000), (3, 'gamma', 'c', 1000)");
}

std::string stats(Db& db, int id) {
  return db.scalar(
      "SELECT printf('%d %d %.6f %.6f %d %.6f %.6f %.1f', d.uses, d.offloads, d.gain,"
      " d.quality_ema, d.ema_count, d.value, d.recent_uses, coalesce(d.decay_at, d.created_at))"
      " FROM ex_data AS d WHERE id = " + std::to_string(id));
}

TEST(ManageFeedback, FollowsTheFormulasExactly) {
  Db db;
  setup(db);
  EXPECT_EQ(stats(db, 1), "0 0 0.000000 0.000000 0 1.000000 0.000000 1000.0");
  // t=1100, large model, reward 0.4: G = 0.6; no offload; value 1 -> 0.5.
  EXPECT_EQ(db.scalar("SELECT iccache_example_feedback('ex', '[1, 2]', 'large', 0.4, 1100)"), "2");
  EXPECT_EQ(stats(db, 1), "1 0 0.600000 0.400000 1 0.500000 1.000000 1100.0");
  // t=1200, small model (cost 0.25), reward 0.8: G = 0.2 * 0.25 = 0.05; an offload.
  // gain = 0.6 + 0.5 (0.05 - 0.6) = 0.325; quality = 0.4 + 0.5 (0.8 - 0.4) = 0.6
  // value = 0.5 / 2 + 1 = 1.25; recent uses = 1 / 2 + 1 = 1.5
  EXPECT_EQ(db.scalar("SELECT iccache_example_feedback('ex', '[2, 3, 2, 99]', 'small', 0.8, 1200)"), "2");
  EXPECT_EQ(stats(db, 2), "2 1 0.325000 0.600000 2 1.250000 1.500000 1200.0");
  // Example 3 first seen at t=1200: value 1 decays two half-lives to 0.25, + 1 offload.
  EXPECT_EQ(stats(db, 3), "1 1 0.050000 0.800000 1 1.250000 1.000000 1200.0");
  // Small model below success_reward: no offload, G = 0.5 * 0.25.
  db.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 0.5, 1100)");  // late: counts at 1100
  EXPECT_EQ(stats(db, 1), "2 0 0.362500 0.450000 2 0.500000 2.000000 1100.0");
  // The table's own columns show uses, offloads and gain.
  EXPECT_EQ(db.query("SELECT rowid, uses, offloads, printf('%.4f', gain) FROM ex ORDER BY rowid"),
            (Rows{{"1", "2", "0", "0.3625"}, {"2", "2", "1", "0.3250"}, {"3", "1", "1", "0.0500"}}));
}

TEST(ManageFeedback, DoesNotInvalidateTheIndexAndRollsBack) {
  Db db;
  setup(db);
  const std::string gen = db.scalar("SELECT value FROM ex_state WHERE key = 'generation'");
  db.exec("BEGIN");
  db.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 1, 1100)");
  EXPECT_EQ(db.scalar("SELECT offloads FROM ex WHERE rowid = 1"), "1");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'generation'"), gen);
  db.exec("ROLLBACK");
  EXPECT_EQ(stats(db, 1), "0 0 0.000000 0.000000 0 1.000000 0.000000 1000.0");
}

TEST(ManageFeedback, DeletedAndReplacedExamplesStartAfresh) {
  Db db;
  setup(db);
  db.exec("SELECT iccache_example_feedback('ex', '[1, 2]', 'small', 1, 1100)");
  db.exec("DELETE FROM ex WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT iccache_example_feedback('ex', '[1]', 'small', 1, 1200)"), "0");
  db.exec("INSERT OR REPLACE INTO ex(rowid, request, response, created_at) VALUES (2, 'beta', 'b2', 1000)");
  EXPECT_EQ(stats(db, 2), "0 0 0.000000 0.000000 0 1.000000 0.000000 1000.0");
  db.exec("UPDATE ex SET rowid = 20 WHERE rowid = 3");  // statistics follow the row
  db.exec("SELECT iccache_example_feedback('ex', '[20]', 'small', 1, 1100)");
  EXPECT_EQ(stats(db, 20), "1 1 0.000000 1.000000 1 1.500000 1.000000 1100.0");
}

TEST(ManageFeedback, RoutingFeedbackReachesTheExamplesShown) {
  Db db;
  setup(db);
  const std::string model = db.scalar("SELECT model FROM iccache_route('ex', 'alpha', '[1, 3]', 1000)");
  db.exec("SELECT iccache_feedback('ex', 1, 0.75)");
  // G = (1 - 0.75) x cost / 1; an offload only when the small arm served (0.75 >= 0.7).
  const bool small = model == "small";
  const std::string expect = std::string("1 ") + (small ? "1 0.062500" : "0 0.250000") + " 0.750000 1";
  for (int id : {1, 3}) EXPECT_EQ(stats(db, id).substr(0, expect.size()), expect) << model;
  EXPECT_EQ(stats(db, 2), "0 0 0.000000 0.000000 0 1.000000 0.000000 1000.0");
  EXPECT_EQ(db.scalar("SELECT decay_at > 1.7e9 FROM ex_data WHERE id = 1"), "1");  // wall clock
}

TEST(ManageFeedback, BadInputIsRefusedAndChangesNothing) {
  Db db;
  setup(db);
  const auto before = db.query("SELECT * FROM ex_data");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1,', 'small', 1)"),
            "iccache_example_feedback: example_ids must be a JSON array of example ids such as [3, 7, 9]"
            " (or NULL for none); received '[1,'");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1, 2.5]', 'small', 1)"),
            "iccache_example_feedback: example_ids must be a JSON array of example ids such as [3, 7, 9]"
            " (or NULL for none); received '[1, 2.5]'");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '{}', 'small', 1)"),
            "iccache_example_feedback: example_ids must be a JSON array of example ids such as [3, 7, 9]"
            " (or NULL for none); received '{}'");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', 'medium', 1)"),
            "iccache_example_feedback: model must be one of small, large; received 'medium'");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', NULL, 1)"),
            "iccache_example_feedback: model must be one of small, large; received NULL");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', 'small', 1.5)"),
            "iccache_example_feedback: reward must be a number from 0 to 1; received 1.5");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', 'small', 'good')"),
            "iccache_example_feedback: reward must be a number from 0 to 1; received 'good'");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', 'small', 1, -5)"),
            "iccache_example_feedback: time must be seconds since 1970 (a number >= 0); received -5");
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('nope', '[1]', 'small', 1)"),
            "iccache_example_feedback: there is no iccache table named 'nope'; expected the name of"
            " a table created with USING iccache(...)");
  EXPECT_EQ(db.query("SELECT * FROM ex_data"), before);
}

}  // namespace
