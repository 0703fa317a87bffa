// Selection learns from routing feedback: each routed decision logs a sample in ex_samples,
// iccache_feedback labels it and updates the model and the tuner; only arms that used the
// examples teach; the tuner moves the threshold on evidence; weights and threshold survive
// reopening and roll back with their transaction.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

void make(Db& db, const std::string& options) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', seed=3" + options + ")");
  db.exec("INSERT INTO ex(rowid, request, response, embedding, quality, model) VALUES"
          " (1, 'a', 'A', '[1, 0]', 0.5, 'm'), (2, 'b', 'B', '[0.8, 0.6]', 0.4, 'm'),"
          " (3, 'c', 'C', '[0.6, 0.8]', 0.3, 'm'), (4, 'd', 'D', '[0, 1]', 0.5, 'm')");
}

// One served request: MATCH, route with what it returned, reward 1 when no example was shown
// (so a high threshold wins), else `shown_reward`. Every i is a distinct request (the
// exploration draw is a function of the request).
void serve(Db& db, int i, double shown_reward) {
  const std::string q = "iccache_vector('[" + std::to_string(1 + i) + ", " + std::to_string(i % 5) + "]')";
  const std::string ids = db.scalar("SELECT json_group_array(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH " +
                                    q + " AND k = 3)");
  const std::string d = db.scalar("SELECT decision FROM iccache_route('ex', " + q + ", '" + ids + "', " +
                                  std::to_string(1000 + i) + ")");
  const double reward = ids == "[]" ? 1.0 : shown_reward;
  db.exec("SELECT iccache_feedback('ex', " + d + ", " + std::to_string(reward) + ")");
}

std::string selection_state(Db& db) {
  return db.scalar("SELECT group_concat(key || '=' || ifnull(value, 'NULL'), ';') FROM ex_stats"
                   " WHERE key LIKE 'threshold%' OR key LIKE 'utility%'") + "|" +
         db.scalar("SELECT group_concat(rowid || ':' || printf('%.12f', utility)) FROM ex WHERE ex MATCH"
                   " iccache_vector('[1, 0]') AND k = 4");
}

TEST(SelectFeedback, DecisionsLogSamplesThatFeedbackLabels) {
  Db db;
  make(db, ", models='m:1', threshold_explore=0");
  const std::string d = db.scalar("SELECT decision FROM iccache_route('ex', iccache_vector('[1, 0]'), '[1, 2]', 1000)");
  EXPECT_EQ(db.query("SELECT decision, tuner, shown, length(features), reward FROM ex_samples"),
            (Rows{{d, "0", "2", "208", "NULL"}}));
  const std::string before = db.scalar("SELECT printf('%.12f', utility) FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1");
  db.exec("SELECT iccache_feedback('ex', " + d + ", 0)");
  EXPECT_EQ(db.scalar("SELECT reward FROM ex_samples"), "0.0");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "2");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold.0.requests'"), "1");
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', value) FROM ex_stats WHERE key = 'threshold.0.mean_value'"),
            "-0.0200");  // 0 - 0.01 x 2 examples
  // A reward of 0 lowers the utility of what was shown.
  EXPECT_LT(std::stod(db.scalar("SELECT utility FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1")), std::stod(before));
  // A decision without examples is logged too (the tuner learns from it), with no features.
  const std::string e = db.scalar("SELECT decision FROM iccache_route('ex', iccache_vector('[1, 0]'), NULL, 1001)");
  EXPECT_EQ(db.scalar("SELECT shown || ',' || length(features) FROM ex_samples WHERE decision = " + e), "0,0");
  db.exec("SELECT iccache_feedback('ex', " + e + ", 1)");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "2");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold.0.requests'"), "2");
  // 'train' refits on the labelled log: two samples.
  db.exec("INSERT INTO ex(ex) VALUES('train')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "2");
}

TEST(SelectFeedback, OnlyArmsThatUsedTheExamplesTeach) {
  // A huge cost weight sends everything to the cheap arm; a negative one to the expensive arm.
  for (const char* weight : {"100", "-100"}) {
    Db db;
    make(db, std::string(", models='m:0.1,large:1', warmup=0, cost_weight=") + weight);
    const Rows r = db.query("SELECT decision, model FROM iccache_route('ex', iccache_vector('[1, 0]'), '[1, 2]', 1000)");
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", 1)");
    if (r[0][1] == "m") {
      EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_samples WHERE reward = 1"), "1") << weight;
      EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "2");
    } else {
      EXPECT_EQ(r[0][1], "large");
      EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_samples"), "0") << weight;
      EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "0");
    }
  }
}

TEST(SelectFeedback, TunerMovesTheThresholdOnEvidence) {
  Db db;
  make(db, ", models='m:1', threshold_grid='0,0.9', threshold_explore=0.5");
  for (int i = 0; i < 300; ++i) serve(db, i, 0.2);
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold'"), "0.9");
  EXPECT_GE(std::stoi(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold.0.9.requests'")), 30);
  // Requests served with the tuned threshold get no examples now (all utilities < 0.9).
  int empty = 0;
  for (int i = 0; i < 40; ++i)
    empty += db.scalar("SELECT count(*) FROM ex WHERE ex MATCH iccache_vector('[" + std::to_string(i + 1) + ", 3]') AND k = 3") == "0";
  EXPECT_GE(empty, 25);  // 75% expected: half explore, half of those draw 0
  // Pinned: nothing explored, the tuner is not fed.
  Db pinned;
  make(pinned, ", models='m:1', threshold_grid='0,0.9', threshold_explore=0.5, threshold=0");
  for (int i = 0; i < 100; ++i) serve(pinned, i, 0.2);
  EXPECT_EQ(pinned.scalar("SELECT value FROM ex_stats WHERE key = 'threshold'"), "0.0");
  EXPECT_EQ(pinned.scalar("SELECT sum(value) FROM ex_stats WHERE key LIKE 'threshold.%.requests'"), "0");
  EXPECT_EQ(pinned.scalar("SELECT count(*) FROM ex_samples WHERE tuner <> -1"), "0");
}

TEST(SelectFeedback, WeightsAndThresholdSurviveReopenAndRollBack) {
  TempFile f;
  const std::string opts = ", models='m:1', threshold_grid='0,0.9', threshold_explore=0.5";
  std::string learned;
  {
    Db db(f.path());
    make(db, opts);
    db.exec("BEGIN");
    for (int i = 0; i < 300; ++i) serve(db, i, 0.2);
    db.exec("COMMIT");
    learned = selection_state(db);
    EXPECT_NE(learned.find("threshold=0.9;"), std::string::npos) << learned;
  }
  {
    Db db(f.path());
    EXPECT_EQ(selection_state(db), learned);
    // A transaction that retrains and feeds back more, then rolls back.
    db.exec("BEGIN");
    for (int i = 300; i < 340; ++i) serve(db, i, 1.0);
    db.exec("INSERT INTO ex(ex) VALUES('train')");
    EXPECT_NE(selection_state(db), learned);
    db.exec("ROLLBACK");
    EXPECT_EQ(selection_state(db), learned);
    // A savepoint too.
    db.exec("SAVEPOINT s");
    db.exec("INSERT INTO ex(ex) VALUES('train')");
    db.exec("ROLLBACK TO s");
    db.exec("RELEASE s");
    EXPECT_EQ(selection_state(db), learned);
  }
  // The threshold's move itself rolls back: a fresh table, the whole run in one transaction.
  Db db;
  make(db, opts);
  const std::string fresh = selection_state(db);
  db.exec("BEGIN");
  for (int i = 0; i < 300; ++i) serve(db, i, 0.2);
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold'"), "0.9");
  db.exec("ROLLBACK");
  EXPECT_EQ(selection_state(db), fresh);
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold'"), "0.0");
}

TEST(SelectFeedback, SecondConnectionSeesCommittedLearning) {
  TempFile f;
  Db a(f.path());
  make(a, ", models='m:1'");
  Db b(f.path());
  const std::string before = selection_state(b);
  for (int i = 0; i < 8; ++i) serve(a, i, 0.0);
  EXPECT_NE(selection_state(b), before);
  EXPECT_EQ(selection_state(b), selection_state(a));
}

}  // namespace
