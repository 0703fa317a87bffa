// Learning you can trust (issue 15): every arm is tried early, calibration meets its share
// on few distinct contexts, overload moves work to the small model from any calibrated share,
// and unsure decisions keep the top arm for the user while naming a shadow arm whose
// feedback trains both. Seeded streams of seven topics (exact one-hot request vectors, so
// many decisions share one context: the case where quantiles land on ties).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

constexpr int kTopics = 7;

// The SQL expression of topic k's request vector.
std::string topic(int k) {
  std::string s = "iccache_vector('[";
  for (int j = 0; j < 8; ++j) s += std::string(j ? "," : "") + (j == k ? "1" : "0");
  return s + "]')";
}

void make(Db& db, const std::string& extra = "") {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, embedder='none', seed=15,"
          " models='small:0.1,large:1.0'" + extra + ")");
}

std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT ifnull(value, 'NULL') FROM ex_stats WHERE key = '" + key + "'");
}

// Rewards of the worlds: deterministic (small 0.7, large 0.9 everywhere) or noisy
// (Bernoulli; small good on 4 of 7 topics).
struct World {
  bool noisy;
  std::mt19937_64 rng{2015};
  double reward(const std::string& model, int k) {
    if (!noisy) return model == "large" ? 0.9 : 0.7;
    const double p = model == "large" ? 0.85 : (k < 4 ? 0.8 : 0.3);
    return std::bernoulli_distribution(p)(rng) ? 1.0 : 0.0;
  }
};

// Routes n requests (topic i % 7) from decision time t0; gives feedback on each when asked.
// Returns the share that went to the large model.
double run(Db& db, World& w, int n, int t0, bool feedback) {
  int large = 0;
  for (int i = 0; i < n; ++i) {
    const int k = i % kTopics;
    const Rows r = db.query("SELECT decision, model FROM iccache_route('ex', " + topic(k) + ", NULL, " +
                            std::to_string(t0 + i) + ")");
    large += r[0][1] == "large";
    if (feedback) db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(w.reward(r[0][1], k)) + ")");
  }
  return static_cast<double>(large) / n;
}

TEST(RouteTrust, EveryArmIsTriedEarlyAndTheBetterOneLearned) {
  // The case: small 0.7, large 0.9, feedback on every decision. With a prior of 0
  // the large model was chosen 0 times in 100 decisions.
  Db db;
  make(db);
  World w{false};
  int large_first = 0;
  for (int i = 0; i < 100; ++i) {
    const int k = i % kTopics;
    const Rows r = db.query("SELECT decision, model FROM iccache_route('ex', " + topic(k) + ", NULL, " +
                            std::to_string(1000 + i) + ")");
    large_first += r[0][1] == "large";
    if (i < 2) EXPECT_EQ(db.scalar("SELECT want_feedback FROM ex_decisions WHERE id = " + r[0][0]), "1");
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(w.reward(r[0][1], k)) + ")");
  }
  EXPECT_GE(large_first, 5);
  EXPECT_GE(std::stoi(stat(db, "arm.small.rewards")), 3);
  // Cost weight 0: quality decides, and the large model is better on every topic.
  EXPECT_GE(run(db, w, 100, 2000, true), 0.9);
}

TEST(RouteTrust, CalibratedShareHoldsOnFewContexts) {
  for (bool noisy : {true, false}) {
    for (double share : {0.2, 0.5, 0.8}) {
      Db db;
      make(db, ", load_threshold=1000000");
      World w{noisy};
      run(db, w, 700, 1000, true);
      db.exec("SELECT iccache_calibrate('ex', " + std::to_string(share) + ", 700)");
      // Fresh decisions, still learning from feedback: the share stays on target.
      const double got = run(db, w, 350, 5000, true);
      EXPECT_NEAR(got, share, 0.1) << "noisy " << noisy << " share " << share;
    }
  }
}

TEST(RouteTrust, OverloadLowersTheCalibratedShare) {
  for (bool noisy : {true, false}) {
    for (double share : {0.5, 0.8}) {
      Db db;
      make(db, ", load_threshold=10");
      World w{noisy};
      run(db, w, 700, 1000, true);
      db.exec("SELECT iccache_calibrate('ex', " + std::to_string(share) + ", 700)");
      db.exec("SELECT iccache_load('ex', 5)");
      const double calm = run(db, w, 350, 5000, false);
      db.exec("SELECT iccache_load('ex', 1000)");  // 100x the threshold
      const double busy = run(db, w, 350, 6000, false);
      EXPECT_NEAR(calm, share, 0.1) << "noisy " << noisy << " share " << share;
      EXPECT_LE(busy, calm - 0.2) << "noisy " << noisy << " share " << share;
      // load_beta=0.5 (the default): half of the calibrated share is shed at full overload.
      EXPECT_NEAR(busy, share * 0.5, 0.1) << "noisy " << noisy << " share " << share;
    }
  }
}

TEST(RouteTrust, ShadowArmKeepsTheTopArmForTheUser) {
  // Three tables on the same seed and no feedback (identical state): shadow mode serves what
  // the policy ranks first (as serve mode with explore_rate 0), and names what serve mode with
  // explore_rate 1 would have served.
  Db a, b, c;
  make(a, ", warmup=0");
  make(b, ", warmup=0, explore_mode=serve, explore_rate=0");
  make(c, ", warmup=0, explore_mode=serve, explore_rate=1");
  for (int i = 0; i < 40; ++i) {
    const std::string args = topic(i % kTopics) + ", NULL, " + std::to_string(1000 + i);
    const Rows ra = a.query("SELECT model, want_feedback, explore, ifnull(shadow, 'NULL') FROM iccache_route('ex', " + args + ")");
    const std::string top = b.scalar("SELECT model FROM iccache_route('ex', " + args + ")");
    const std::string second = c.scalar("SELECT model FROM iccache_route('ex', " + args + ")");
    ASSERT_EQ(ra[0][1], "1");  // a fresh router: every arm expects the prior, a tie
    EXPECT_EQ(ra[0][0], top);
    EXPECT_EQ(ra[0][2], "0");
    EXPECT_EQ(ra[0][3], second);
    EXPECT_NE(ra[0][3], ra[0][0]);
  }
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_decisions WHERE shadow IS NOT NULL AND shadow <> arm"), "40");
}

TEST(RouteTrust, ShadowFeedbackTrainsBothArms) {
  Db db;
  make(db, ", warmup=0");
  db.exec("INSERT INTO ex(rowid, request, response, embedding, quality) VALUES (1, 'q', 'a', " + topic(0) + ", 0.9)");
  const Rows r = db.query("SELECT decision, model, shadow FROM iccache_route('ex', " + topic(0) + ", '[1]', 1000)");
  ASSERT_EQ(r.size(), 1u);
  const std::string d = r[0][0], served = r[0][1], shadow = r[0][2];
  ASSERT_NE(shadow, served);
  db.exec("SELECT iccache_feedback('ex', " + d + ", 0.8)");
  db.exec("SELECT iccache_feedback('ex', " + d + ", 0.3, '" + shadow + "')");
  EXPECT_EQ(stat(db, "arm." + served + ".rewards"), "1");
  EXPECT_EQ(stat(db, "arm." + shadow + ".rewards"), "1");
  EXPECT_EQ(stat(db, "arm." + served + ".mean_reward"), "0.8");
  EXPECT_EQ(stat(db, "arm." + shadow + ".mean_reward"), "0.3");
  EXPECT_EQ(db.query("SELECT reward, shadow_reward FROM ex_decisions WHERE id = " + d), (Rows{{"0.8", "0.3"}}));
  // The user saw only the served answer: the example's statistics count one use.
  EXPECT_EQ(db.scalar("SELECT uses FROM ex WHERE rowid = 1"), "1");
  // Selection learned from the small model's reward, whichever role it had.
  EXPECT_EQ(db.scalar("SELECT reward FROM ex_samples WHERE decision = " + d), served == "small" ? "0.8" : "0.3");
  // One reward per arm; only the served or the shadow arm; clear errors that change nothing.
  const std::string before = db.scalar("SELECT group_concat(key || '=' || ifnull(value, ''), ';') FROM ex_stats WHERE key <> 'load' AND key <> 'load_ema'");
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', " + d + ", 0.5, '" + shadow + "')"),
            "iccache_feedback: the shadow arm '" + shadow + "' of decision " + d +
                " of ex already has a reward (0.3); expected one reward per arm and decision");
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', " + d + ", 0.5, 'medium')"),
            "iccache_feedback: decision " + d + " of ex served '" + served + "' with shadow arm '" + shadow +
                "'; expected one of those as the arm, not 'medium'");
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', " + d + ", 0.5, 3)"),
            "iccache_feedback: arm must be the name of the served or the shadow arm (TEXT); received 3");
  EXPECT_EQ(db.scalar("SELECT group_concat(key || '=' || ifnull(value, ''), ';') FROM ex_stats WHERE key <> 'load' AND key <> 'load_ema'"), before);
  // Naming the served arm is the same as naming none.
  const Rows r2 = db.query("SELECT decision, model FROM iccache_route('ex', " + topic(1) + ", NULL, 1001)");
  db.exec("SELECT iccache_feedback('ex', " + r2[0][0] + ", 1, '" + r2[0][1] + "')");
  EXPECT_EQ(db.scalar("SELECT reward FROM ex_decisions WHERE id = " + r2[0][0]), "1.0");
}

TEST(RouteTrust, ServeModeKeepsTheOldBehaviour) {
  Db db;
  make(db, ", warmup=0, explore_mode=serve, explore_rate=1");
  const Rows r = db.query("SELECT model, explore, shadow IS NULL FROM iccache_route('ex', " + topic(0) + ", NULL, 1000)");
  EXPECT_EQ(r[0][1], "1");  // unsure, explore_rate 1: the runner-up served
  EXPECT_EQ(r[0][2], "1");
}

}  // namespace
