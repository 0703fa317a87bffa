// When the IVF trains by itself (option training=, engine/options/table_options.h):
// 'manual' never does and ex_stats says since when training is due; 'on-use' (the default
// under text_index='lexical') waits until something searches the IVF; the commands
// 'optimize' (in the statement) and 'optimize-background' (on the process's trainer) train
// whatever the policy says.
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

std::string vec(int i) {
  // Four clusters; each vector distinct.
  const int c = i % 4;
  std::string v = "[";
  for (int d = 0; d < 4; ++d) v += (d ? "," : "") + std::to_string((d == c ? 1.0 : 0.05) + 0.001 * i * (d + 1));
  return v + "]";
}
void insert_vectors(Db& db, int from, int to) {
  for (int i = from; i <= to; ++i)
    db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(i) + ", 'q" +
            std::to_string(i) + "', 'a', '" + vec(i) + "')");
}
void insert_texts(Db& db, int from, int to) {
  for (int i = from; i <= to; ++i)
    db.exec("INSERT INTO ex(rowid, request, response) VALUES(" + std::to_string(i) + ", 'question " +
            std::to_string(i) + " about topic " + std::to_string(i % 7) + "', 'a')");
}
std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT ifnull(value, 'NULL') FROM ex_stats WHERE key = '" + key + "'");
}
// policy, due, trained n, new examples, whether due_since is set: one string to compare.
std::string due(Db& db) {
  return stat(db, "training_policy") + " due=" + stat(db, "training_due") + " trained_n=" +
         stat(db, "training_trained_n") + " new=" + stat(db, "training_new_examples") + " since=" +
         db.scalar("SELECT CASE WHEN value IS NULL THEN 'NULL' WHEN value BETWEEN unixepoch() - 600 AND unixepoch() "
                   "THEN 'now' ELSE value END FROM ex_stats WHERE key = 'training_due_since'");
}

TEST(TrainingPolicy, ManualNeverTrainsByItselfAndSaysWhenTrainingIsDue) {
  if (test_key()) GTEST_SKIP() << "an encrypted file trains in the writing connection (Encryption.*)";
  TempFile f;
  Db a(f.path());
  a.exec("PRAGMA journal_mode=WAL");
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none', selection='similarity', ivf_min=64, "
         "seed=3, training='manual')");
  insert_vectors(a, 1, 63);
  EXPECT_EQ(due(a), "manual due=0 trained_n=0 new=63 since=NULL");
  // The write that finds training due records since when, inside its transaction.
  a.exec("BEGIN");
  insert_vectors(a, 64, 64);
  EXPECT_EQ(due(a), "manual due=1 trained_n=0 new=64 since=now");
  a.exec("ROLLBACK");
  EXPECT_EQ(due(a), "manual due=0 trained_n=0 new=63 since=NULL");
  insert_vectors(a, 64, 70);
  EXPECT_EQ(due(a), "manual due=1 trained_n=0 new=70 since=now");
  // Nothing queued, nothing trained: new examples stay in the one list, searched exactly.
  EXPECT_EQ(stat(a, "training_state"), "idle");
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex', 0)"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  EXPECT_EQ(a.scalar("SELECT count(DISTINCT list) || ' ' || count(*) FROM ex_index"), "1 70");
  EXPECT_EQ(a.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" + vec(45) + "') AND k = 1"), "45");
  // The off-peak command: trains on the process's background trainer and returns at once.
  a.exec("INSERT INTO ex(ex) VALUES('optimize-background')");
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_error"), "NULL");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");  // round(sqrt(70))
  EXPECT_EQ(due(a), "manual due=0 trained_n=70 new=0 since=NULL");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_state WHERE key = 'training_due_since'"), "0");
  // Growing to 4x the trained size makes it due again, and a new example goes to the
  // nearest existing list (one of the 8).
  insert_vectors(a, 71, 280);
  EXPECT_EQ(due(a), "manual due=1 trained_n=70 new=210 since=now");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(a.scalar("SELECT list BETWEEN 0 AND 7 FROM " + index_rows(a) + " WHERE id = 280"), "1");
  EXPECT_EQ(a.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" + vec(280) + "') AND k = 1 AND nprobe = 8"),
            "280");
  // 'optimize' trains in the statement.
  a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "17");  // round(sqrt(280))
  EXPECT_EQ(due(a), "manual due=0 trained_n=280 new=0 since=NULL");
  EXPECT_EQ(stat(a, "training_runs"), "2");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(TrainingPolicy, ManualInMemoryTrainsOnlyByCommandInTheStatement) {
  Db a;
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none', selection='similarity', ivf_min=64, "
         "seed=3, training='manual')");
  insert_vectors(a, 1, 64);
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  EXPECT_EQ(due(a), "manual due=1 trained_n=0 new=64 since=now");
  a.exec("INSERT INTO ex(ex) VALUES('optimize-background')");  // no other connection: now
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(due(a), "manual due=0 trained_n=64 new=0 since=NULL");
  EXPECT_EQ(stat(a, "training_background_runs"), "0");
}

TEST(TrainingPolicy, LexicalTablesTrainTheIvfOnlyOnceAVectorSearchUsesIt) {
  if (test_key()) GTEST_SKIP() << "an encrypted file trains in the writing connection (Encryption.*)";
  TempFile f;
  Db a(f.path());
  a.exec("PRAGMA journal_mode=WAL");
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32, selection='similarity', ivf_min=64, seed=3)");
  insert_texts(a, 1, 64);
  EXPECT_EQ(due(a), "on-use due=1 trained_n=0 new=64 since=now");
  EXPECT_EQ(stat(a, "training_ivf_searched"), "0");
  // Text MATCH reads the lexical index: still no training.
  EXPECT_EQ(a.scalar("SELECT rowid FROM ex WHERE ex MATCH 'question 17 about topic 3' AND k = 1"), "17");
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_state"), "idle");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  EXPECT_EQ(stat(a, "training_ivf_searched"), "0");
  // A MATCH with a vector searches the IVF (exactly, untrained) and asks for a training.
  EXPECT_EQ(a.scalar("SELECT rowid FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = 17) AND k = 1"), "17");
  EXPECT_EQ(stat(a, "training_ivf_searched"), "1");
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_error"), "NULL");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(due(a), "on-use due=0 trained_n=64 new=0 since=NULL");
  // From then on this process trains as 'background' does: the write reaching 4x queues it.
  insert_texts(a, 65, 256);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "2");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "16");  // round(sqrt(256))
  EXPECT_EQ(a.scalar("SELECT value FROM ex_state WHERE key = 'ivf_trained_n'"), "256");
}

TEST(TrainingPolicy, OnUseInMemoryTrainsAtTheWriteAfterTheFirstVectorSearch) {
  Db a;
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32, selection='similarity', ivf_min=64, seed=3)");
  insert_texts(a, 1, 64);
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  // The search never trains in its own statement (a MATCH does not write) ...
  EXPECT_EQ(a.scalar("SELECT rowid FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = 9) AND k = 1"), "9");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  // ... the next write does.
  insert_texts(a, 65, 65);
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(stat(a, "training_runs"), "1");
  // text_index='vector' keeps 'background' (its text MATCH reads the IVF).
  a.exec("CREATE VIRTUAL TABLE ev USING iccache(dim=32, text_index='vector')");
  EXPECT_EQ(a.scalar("SELECT value FROM ev_stats WHERE key = 'training_policy'"), "background");
}

TEST(TrainingPolicy, ABadValueIsRefusedAndCreatesNothing) {
  Db a;
  EXPECT_EQ(a.error_of("CREATE VIRTUAL TABLE ex USING iccache(dim=4, training='later')"),
            "ex: option training=later is not valid; expected 'background', 'on-use' or 'manual'");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM sqlite_master"), "0");
}

}  // namespace
}  // namespace iccache_test
