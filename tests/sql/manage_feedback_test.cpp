// Example statistics through SQL: routing feedback reaches the examples a decision showed.
// The formulas of iccache_example_feedback to the sixth decimal, missing, deleted, replaced
// and moved examples, rollback and every bad input are in slt/stats.test.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;

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

}  // namespace
