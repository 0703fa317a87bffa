// The replay queue's query plan: ORDER BY expected_gain DESC is the natural order, and LIMIT
// and the cost reach the function. The order, cut-off, LIMIT, replays, errors and the view
// following RENAME and DROP are in slt/manage.test.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

TEST(ManageReplay, OrderByAndLimitReachTheFunction) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
  // ORDER BY expected_gain DESC is the natural order; LIMIT and the cost reach the function.
  const Rows plan = db.query(
      "EXPLAIN QUERY PLAN SELECT rowid FROM ex_replay WHERE replay_cost = 0.2"
      " ORDER BY expected_gain DESC LIMIT 5");
  // No sorter step; the view's second step reads its own table's identity (registry.h).
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].back(), "SCAN iccache_replay VIRTUAL TABLE INDEX 51:");  // table 1 + cost 2 + identity 16 + limit 32
  EXPECT_EQ(plan[1].back(), "SCALAR SUBQUERY 3");
}

}  // namespace
