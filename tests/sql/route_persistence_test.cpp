// Router state lives in the file: it survives reopening (and continues the same seeded
// stream), rolls back with transactions and savepoints, and a second connection sees a
// first one's feedback.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

const char* kCreate = "CREATE VIRTUAL TABLE ex USING iccache(dim=32, seed=5, explore_rate=0.3)";

void seed_examples(Db& db) {
  db.exec(kCreate);
  db.exec("INSERT INTO ex(rowid, request, response, quality) VALUES"
          " (1, 'What is the capital of France?', 'Paris.', 0.9),"
          " (2, 'How many legs does a spider have?', 'Eight.', 0.6)");
}

// Routes request i and gives a reward that depends on the arm; returns the decision row.
std::string step(Db& db, int i) {
  Rows r = db.query("SELECT decision, model, printf('%.12f', score), explore, want_feedback"
                    " FROM iccache_route('ex', 'request " + std::to_string(i % 9) + "', '[" +
                    std::to_string(1 + i % 2) + "]', " + std::to_string(1000 + i) + ")");
  const double reward = r[0][1] == "large" ? 0.8 : (i % 3 ? 0.7 : 0.1);
  db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(reward) + ")");
  return r[0][0] + "," + r[0][1] + "," + r[0][2] + "," + r[0][3] + "," + r[0][4];
}

// Everything ex_stats says but the nonces, select_rows_read, index_shared_by and
// lexical_shared_by (which count the connections of this process that have opened the
// table, so two connections compared while the second opens it read 1 and 2).
std::string router_state(Db& db) {
  return db.scalar("SELECT group_concat(key || '=' || ifnull(value, 'NULL'), ';') FROM ex_stats"
                   " WHERE key NOT IN ('generation', 'router_generation', 'select_rows_read', 'index_shared_by', 'lexical_shared_by')") + "|" +
         db.scalar("SELECT count(*) || ',' || ifnull(sum(reward), 0) FROM ex_decisions");
}

TEST(RoutePersistence, ReopenContinuesTheSameSequence) {
  TempFile a, b;
  std::vector<std::string> one_session, reopened;
  {
    Db db(a.path());
    seed_examples(db);
    for (int i = 0; i < 60; ++i) one_session.push_back(step(db, i));
  }
  {
    Db db(b.path());
    seed_examples(db);
    for (int i = 0; i < 30; ++i) reopened.push_back(step(db, i));
  }
  {
    Db db(b.path());
    for (int i = 30; i < 60; ++i) reopened.push_back(step(db, i));
  }
  EXPECT_EQ(one_session, reopened);
  Db da(a.path()), dbb(b.path());
  EXPECT_EQ(router_state(da), router_state(dbb));
}

// The same on an in-memory database (a private index) and on a file (the process-wide
// index, whose index_shared_by must read the same before and after the rollback).
void rollback_restores_the_router(Db& db) {
  seed_examples(db);
  for (int i = 0; i < 10; ++i) step(db, i);
  const std::string before = router_state(db);
  db.exec("BEGIN");
  std::string in_tx;
  for (int i = 10; i < 20; ++i) in_tx += step(db, i) + ";";
  db.exec("SELECT iccache_calibrate('ex', 0.5)");
  db.exec("SELECT iccache_load('ex', 99)");
  EXPECT_NE(router_state(db), before);
  db.exec("ROLLBACK");
  EXPECT_EQ(router_state(db), before);
  // The same steps again give the same decisions (same ids, same seeded draws).
  std::string again;
  for (int i = 10; i < 20; ++i) again += step(db, i) + ";";
  EXPECT_EQ(again, in_tx);
}

TEST(RoutePersistence, RollbackRestoresTheRouter) {
  Db db;
  rollback_restores_the_router(db);
}

TEST(RoutePersistence, RollbackRestoresTheRouterOfAFileTable) {
  TempFile f;
  Db db(f.path());
  rollback_restores_the_router(db);
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'index_shared_by'"), "1");
}

void savepoint_rollback(Db& db) {
  seed_examples(db);
  step(db, 0);
  db.exec("BEGIN");
  step(db, 1);
  const std::string mid = router_state(db);
  db.exec("SAVEPOINT s");
  step(db, 2);
  db.exec("SELECT iccache_load('ex', 7)");
  db.exec("ROLLBACK TO s");
  EXPECT_EQ(router_state(db), mid);
  db.exec("COMMIT");
  EXPECT_EQ(router_state(db), mid);
}

TEST(RoutePersistence, SavepointRollback) {
  Db db;
  savepoint_rollback(db);
}

TEST(RoutePersistence, SavepointRollbackOfAFileTable) {
  TempFile f;
  Db db(f.path());
  savepoint_rollback(db);
}

TEST(RoutePersistence, SecondConnectionSeesFeedback) {
  TempFile f;
  Db a(f.path());
  seed_examples(a);
  Db b(f.path());
  EXPECT_EQ(router_state(a), router_state(b));
  for (int i = 0; i < 5; ++i) step(a, i);
  EXPECT_EQ(router_state(b), router_state(a));
  step(b, 5);  // b continues the decision ids
  EXPECT_EQ(a.scalar("SELECT value FROM ex_stats WHERE key = 'last_decision'"), "6");
  EXPECT_EQ(router_state(a), router_state(b));
}

TEST(RoutePersistence, DecisionsArePrunedByCountAndAge) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, decision_limit=20, decision_ttl=100)");
  for (int i = 0; i < 200; ++i)
    db.query("SELECT * FROM iccache_route('ex', 'q', NULL, " + std::to_string(1000 + i / 10) + ")");
  const int kept = std::stoi(db.scalar("SELECT count(*) FROM ex_decisions"));
  EXPECT_LE(kept, 20 + 8);  // pruned every 8 decisions
  EXPECT_EQ(db.scalar("SELECT max(id) FROM ex_decisions"), "200");
  // Old decisions go by age: jump 1000 s ahead.
  for (int i = 0; i < 40; ++i) db.query("SELECT * FROM iccache_route('ex', 'q', NULL, 3000)");
  EXPECT_EQ(db.scalar("SELECT min(time) FROM ex_decisions"), "3000.0");
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', 1, 0.5)").substr(0, 38),
            "iccache_feedback: ex has no decision 1");
}

}  // namespace
