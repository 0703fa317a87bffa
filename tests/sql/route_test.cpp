// Routing through SQL: iccache_route's row and decision log, the load EMA and manual load,
// feedback, calibration, ex_stats, the cache arm, and a clear error (changing nothing) for
// each bad argument.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

std::string fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9f", v);
  return buf;
}

void make(Db& db, const std::string& extra = "") {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32, seed=3" + extra + ")");
  db.exec("INSERT INTO ex(rowid, request, response, quality) VALUES"
          " (1, 'What is the capital of France?', 'Paris.', 0.9),"
          " (2, 'How many legs does a spider have?', 'Eight.', 0.6)");
}

std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT ifnull(value, 'NULL') FROM ex_stats WHERE key = '" + key + "'");
}

// Every figure except the nonces, to compare states.
std::string snapshot(Db& db) {
  return db.scalar("SELECT group_concat(key || '=' || ifnull(value, 'NULL'), ';') FROM ex_stats"
                   " WHERE key NOT IN ('router_generation')") +
         "|" + db.scalar("SELECT count(*) || ',' || ifnull(sum(reward), 'NULL') FROM ex_decisions");
}

TEST(Route, OneRowAndALoggedDecision) {
  Db db;
  make(db);
  Rows r = db.query("SELECT decision, model IN ('small', 'large'), printf('%.9f', load), explore,"
                    " want_feedback FROM iccache_route('ex', 'capital city of France', '[1, 2]', 1000)");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0], "1");
  EXPECT_EQ(r[0][1], "1");
  EXPECT_EQ(r[0][2], fixed(std::log(2.0) / 10));  // one arrival, half-life 10 s
  EXPECT_EQ(r[0][4], "1");  // a fresh router: every arm expects 0, a tie
  EXPECT_EQ(db.query("SELECT id, time, example_ids, length(features), length(request), reward"
                     " FROM ex_decisions"),
            (Rows{{"1", "1000.0", "[1,2]", "120", "128", "NULL"}}));
  EXPECT_EQ(db.scalar("SELECT decision FROM iccache_route('ex', 'x', NULL, 1001)"), "2");
  EXPECT_EQ(db.scalar("SELECT decision FROM iccache_route('ex', 'x')"), "3");  // ids optional
  EXPECT_EQ(db.scalar("SELECT example_ids FROM ex_decisions WHERE id = 3"), "[]");
  // A vector request works too.
  EXPECT_EQ(db.scalar("SELECT decision FROM iccache_route('ex', (SELECT embedding FROM ex WHERE rowid = 1), '[1]', 1002)"), "4");
}

TEST(Route, LoadEmaFromArrivalsAndManualLoad) {
  Db db;
  make(db, ", load_half_life=10, load_threshold=5, load_beta=0.5, load_gamma=1");
  const double unit = std::log(2.0) / 10;
  db.query("SELECT * FROM iccache_route('ex', 'a', NULL, 1000)");
  EXPECT_EQ(db.scalar("SELECT printf('%.9f', load) FROM iccache_route('ex', 'b', NULL, 1010)"),
            fixed(1.5 * unit));  // the first arrival halved over one half-life, plus this one
  EXPECT_EQ(db.scalar("SELECT printf('%.9f', value) FROM ex_stats WHERE key = 'load_ema'"),
            db.scalar("SELECT printf('%.9f', iccache_load('ex'))"));
  EXPECT_EQ(stat(db, "arm.large.load_bias"), "0.0");  // far below the threshold
  EXPECT_EQ(db.scalar("SELECT iccache_load('ex', 10)"), "10.0");
  EXPECT_EQ(db.scalar("SELECT load FROM iccache_route('ex', 'c', NULL, 1011)"), "10.0");
  EXPECT_EQ(stat(db, "load_manual"), "10.0");
  EXPECT_EQ(db.scalar("SELECT printf('%.9f', value) FROM ex_stats WHERE key = 'arm.large.load_bias'"),
            fixed(-0.5 * std::tanh(1.0)));
  EXPECT_EQ(db.scalar("SELECT printf('%.9f', value) FROM ex_stats WHERE key = 'arm.small.load_bias'"),
            fixed(-0.05 * std::tanh(1.0)));
  db.exec("SELECT iccache_load('ex', NULL)");
  EXPECT_EQ(stat(db, "load_manual"), "NULL");
  // The EMA kept counting arrivals while the load was manual.
  EXPECT_EQ(db.scalar("SELECT printf('%.9f', load) FROM iccache_route('ex', 'd', NULL, 1011)"),
            fixed(1.5 * unit * std::exp2(-0.1) + 2 * unit));
}

TEST(Route, FeedbackUpdatesTheServedArm) {
  Db db;
  make(db);
  const std::string model = db.scalar("SELECT model FROM iccache_route('ex', 'q', '[1]', 1000)");
  EXPECT_EQ(db.scalar("SELECT iccache_feedback('ex', 1, 0.75)"), "NULL");
  EXPECT_EQ(stat(db, "arm." + model + ".rewards"), "1");
  EXPECT_EQ(stat(db, "arm." + model + ".mean_reward"), "0.75");
  EXPECT_EQ(stat(db, "decisions_with_feedback"), "1");
  EXPECT_EQ(db.scalar("SELECT reward FROM ex_decisions WHERE id = 1"), "0.75");
  // The example manager saw the feedback for example 1 (issue 6 keeps its statistics).
  EXPECT_EQ(db.scalar("SELECT uses FROM ex WHERE rowid = 1"), "1");
}

TEST(Route, LearnsWhichArmIsBetter) {
  Db db;
  make(db, ", bandit=linucb, explore_rate=0");
  // 'math' requests: only the large model answers well; 'chat' requests: both do, and the
  // small one is cheaper, so with a cost weight it should win those.
  int correct = 0;
  for (int i = 0; i < 300; ++i) {
    const bool math = i % 2 == 0;
    const std::string req = math ? "solve the integral of x squared dx step " + std::to_string(i % 7)
                                 : "tell me a joke about cats number " + std::to_string(i % 5);
    Rows r = db.query("SELECT decision, model FROM iccache_route('ex', '" + req + "', NULL, " +
                      std::to_string(1000 + i) + ")");
    const bool large = r[0][1] == "large";
    const double reward = math ? (large ? 1.0 : 0.0) : 0.9;
    if (i >= 200) correct += math ? large : true;
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(reward) + ")");
  }
  EXPECT_GE(correct, 95);  // of the last 100, math went to large
}

TEST(Route, CalibrateHitsTheShare) {
  Db db;
  make(db, ", bandit=linucb, explore_rate=0, load_threshold=1000000");
  for (int i = 0; i < 400; ++i) {
    const std::string req = "request number " + std::to_string(i) + (i % 3 ? " easy chat" : " hard proof");
    Rows r = db.query("SELECT decision, model FROM iccache_route('ex', '" + req + "', '[1]', " +
                      std::to_string(1000 + i) + ")");
    const double reward = r[0][1] == "large" ? 0.9 : (i % 3 ? 0.8 : 0.2);
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(reward) + ")");
  }
  for (double share : {0.2, 0.5, 0.8}) {
    const double w = std::stod(db.scalar("SELECT iccache_calibrate('ex', " + std::to_string(share) + ", 400)"));
    EXPECT_NEAR(std::stod(stat(db, "cost_weight")), w, 1e-12);
    // Route the same 400 requests again: the share that goes to large is the target.
    int large = 0;
    for (int i = 0; i < 400; ++i) {
      const std::string req = "request number " + std::to_string(i) + (i % 3 ? " easy chat" : " hard proof");
      large += db.scalar("SELECT model FROM iccache_route('ex', '" + req + "', '[1]', " +
                         std::to_string(5000 + i) + ")") == "large";
    }
    EXPECT_NEAR(large / 400.0, share, 0.03) << share;
    db.exec("SELECT iccache_calibrate('ex', " + std::to_string(share) + ", 400)");  // re-aim on the last 400
  }
}

TEST(Route, CacheArmOnlyWithExamples) {
  Db db;
  make(db, ", cache_arm=on");
  EXPECT_EQ(stat(db, "arm.cache.cost"), "0.0");
  for (int i = 0; i < 30; ++i)
    EXPECT_NE(db.scalar("SELECT model FROM iccache_route('ex', 'q" + std::to_string(i) + "', NULL, 1000)"), "cache");
  int cache = 0;
  for (int i = 0; i < 60; ++i) cache += db.scalar("SELECT model FROM iccache_route('ex', 'q', '[1]', 1000)") == "cache";
  EXPECT_GT(cache, 0);  // a fresh router ties and explores every arm
}

TEST(Route, BadArgumentsChangeNothing) {
  Db db;
  make(db, ", models='small:0.1,large:1'");
  db.query("SELECT * FROM iccache_route('ex', 'q', '[1]', 1000)");
  const std::string before = snapshot(db);
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT * FROM iccache_route('nope', 'q')",
       "iccache_route: there is no iccache table named 'nope'; expected the name of a table created with USING iccache(...)"},
      {"SELECT * FROM iccache_route('ex')", "iccache_route: expected iccache_route(table, request[, example_ids_json[, at[, tenant]]])"},
      {"SELECT * FROM iccache_route(1, 'q')",
       "iccache_route: the first argument must be the name of an iccache table (TEXT); received 1"},
      {"SELECT * FROM iccache_route('ex', NULL)",
       "iccache_route request: expected request TEXT, or a vector as a float32 BLOB of 32 dimensions (iccache_vector('[...]') makes one from a JSON array); received NULL"},
      {"SELECT * FROM iccache_route('ex', iccache_vector('[1, 2]'))", "iccache_route request: expected 32 dimensions but received 2"},
      {"SELECT * FROM iccache_route('ex', 'q', '[1, x]')",
       "iccache_route: example_ids_json must be a JSON array of example ids such as [3, 7, 9] (or NULL for none); received '[1, x]'"},
      {"SELECT * FROM iccache_route('ex', 'q', '{\"a\":1}')",
       "iccache_route: example_ids_json must be a JSON array of example ids such as [3, 7, 9] (or NULL for none); received '{\"a\":1}'"},
      {"SELECT * FROM iccache_route('ex', 'q', '[1, 42]')",
       "iccache_route: example 42 of example_ids_json is not in ex; expected ids of existing examples (from a MATCH on ex)"},
      {"SELECT * FROM iccache_route('ex', 'q', '[1]', 'soon')",
       "iccache_route: at must be a time in seconds since 1970 (a number >= 0); received 'soon'"},
      {"SELECT iccache_feedback('ex', 99, 0.5)",
       "iccache_feedback: ex has no decision 99; expected the decision id returned by iccache_route (decisions older than decision_ttl or beyond decision_limit are pruned)"},
      {"SELECT iccache_feedback('ex', 1, 1.5)", "iccache_feedback: reward must be a number from 0 to 1; received 1.5"},
      {"SELECT iccache_feedback('ex', 1, -0.1)", "iccache_feedback: reward must be a number from 0 to 1; received -0.1"},
      {"SELECT iccache_feedback('ex', 1, NULL)", "iccache_feedback: reward must be a number from 0 to 1; received NULL"},
      {"SELECT iccache_feedback('ex', 'one', 0.5)", "iccache_feedback: decision must be an integer; received 'one'"},
      {"SELECT iccache_feedback('nope', 1, 0.5)",
       "iccache_feedback: there is no iccache table named 'nope'; expected the name of a table created with USING iccache(...)"},
      {"SELECT iccache_load('ex', -1)",
       "iccache_load: requests_per_second must be a number of requests per second >= 0 (or NULL to measure it again); received -1"},
      {"SELECT iccache_calibrate('ex', 1.2)", "iccache_calibrate: share must be a number from 0 to 1; received 1.2"},
      {"SELECT iccache_calibrate('ex', 0.5, 0)", "iccache_calibrate: window must be an integer >= 1; received 0"},
  };
  for (const auto& [sql, msg] : cases) {
    EXPECT_EQ(db.error_of(sql), msg) << sql;
    EXPECT_EQ(snapshot(db), before) << sql;
  }
  db.exec("SELECT iccache_feedback('ex', 1, 0.5)");
  const std::string after = snapshot(db);
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', 1, 0.5)"),
            "iccache_feedback: decision 1 of ex already has a reward (0.5); expected one reward per decision");
  EXPECT_EQ(snapshot(db), after);
}

TEST(Route, CalibrateErrors) {
  Db db;
  make(db);
  EXPECT_EQ(db.error_of("SELECT iccache_calibrate('ex', 0.5)"),
            "iccache_calibrate: ex: calibration needs logged decisions; route some requests first");
  Db flat;
  flat.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, models='a:1,b:1')");
  flat.query("SELECT * FROM iccache_route('ex', 'q')");
  EXPECT_EQ(flat.error_of("SELECT iccache_calibrate('ex', 0.5)"),
            "iccache_calibrate: ex: calibration needs arms of different cost; every model has cost 1");
}

}  // namespace
