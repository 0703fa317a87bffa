// Two-stage MATCH: utility column and order, selection='similarity' (plain top-k), the
// threshold option (fewer than k rows), candidates, the semantic-cache hit, ORDER BY,
// the 'train' command and ex_stats rows (the query columns refused on writes: slt/select.test).
#include <gtest/gtest.h>

#include <cmath>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

void three(Db& db, const std::string& options = "") {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none'" + options + ")");
  // Row 1 is the closest but poor; row 2 less close but excellent; row 3 orthogonal.
  db.exec("INSERT INTO ex(rowid, request, response, embedding, quality) VALUES"
          " (1, 'a', 'A', '[1, 0]', 0.2), (2, 'b', 'B', '[0.8, 0.6]', 1.0), (3, 'c', 'C', '[0, 1]', 1.0)");
}

TEST(SelectMatch, ResultsComeByUtilityWithTheColdStartPrior) {
  Db db;
  three(db);
  // Cold start: utility = sigmoid(-3 + 6 x similarity x quality).
  EXPECT_EQ(db.query("SELECT rowid, printf('%.6f', similarity), printf('%.6f', utility), hit FROM ex"
                     " WHERE ex MATCH iccache_vector('[1, 0]') AND k = 3"),
            (Rows{{"2", "0.800000", "0.858149", "0"},
                  {"1", "1.000000", "0.141851", "0"},
                  {"3", "0.000000", "0.047426", "0"}}));
  // k bounds the rows; ORDER BY utility DESC is the natural order, other orders still work.
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]')"
                      " AND k = 2 ORDER BY utility DESC)"), "2,1");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]')"
                      " AND k = 3 ORDER BY similarity DESC)"), "1,2,3");
  // Outside MATCH the output columns are NULL.
  EXPECT_EQ(db.query("SELECT utility, hit FROM ex WHERE rowid = 1"), (Rows{{"NULL", "NULL"}}));
}

TEST(SelectMatch, SimilarityModeIsPlainTopK) {
  Db db;
  three(db, ", selection='similarity'");
  EXPECT_EQ(db.query("SELECT rowid, printf('%.6f', utility) FROM ex WHERE ex MATCH iccache_vector('[1, 0]') AND k = 3"),
            (Rows{{"1", "0.141851"}, {"2", "0.858149"}, {"3", "0.047426"}}));
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]')"
                      " AND k = 3 ORDER BY similarity DESC)"), "1,2,3");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'selection'"), "similarity");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'threshold_source'"), "none");
}

TEST(SelectMatch, ThresholdDropsCandidatesSoFewerThanKRows) {
  Db db;
  three(db, ", threshold=0.1");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 3)"),
            "2,1");
  EXPECT_EQ(db.query("SELECT key, value FROM ex_stats WHERE key IN ('threshold', 'threshold_source',"
                     " 'threshold_explore') ORDER BY key"),
            (Rows{{"threshold", "0.1"}, {"threshold_explore", "0.0"}, {"threshold_source", "option"}}));
  Db db2;
  three(db2, ", threshold=0.9");
  EXPECT_EQ(db2.query("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 3").size(), 0u);
}

TEST(SelectMatch, CandidatesBoundTheSecondStage) {
  Db db;
  three(db, ", candidates=1");
  // Only the most similar candidate is scored, so the better example 2 is never seen at k=1.
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "1");
  // k above candidates: k candidates.
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 2)"),
            "2,1");
  Db wide;
  three(wide);
  EXPECT_EQ(wide.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "2");
}

TEST(SelectMatch, SemanticCacheHitComesFirstWhenSimilarAndGoodEnough) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', hit_similarity=0.99, hit_quality=0.8)");
  db.exec("INSERT INTO ex(rowid, request, response, embedding, quality) VALUES"
          " (1, 'same', 'cached answer', '[1, 0]', 0.85), (2, 'close', 'X', '[1, 0.1]', 1.0),"
          " (3, 'far', 'Y', '[0, 1]', 1.0)");
  // Example 2 has the higher utility (0.995 x 1 > 1 x 0.85), but 1 is a hit.
  EXPECT_EQ(db.query("SELECT rowid, hit FROM ex WHERE ex MATCH iccache_vector('[1, 0]') AND k = 2"),
            (Rows{{"1", "1"}, {"2", "0"}}));
  // Not similar enough: no hit.
  EXPECT_EQ(db.query("SELECT rowid, hit FROM ex WHERE ex MATCH iccache_vector('[1, 0.3]') AND k = 1"), (Rows{{"2", "0"}}));
  // Not good enough: no hit.
  db.exec("UPDATE ex SET quality = 0.5 WHERE rowid = 1");
  EXPECT_EQ(db.query("SELECT rowid, hit FROM ex WHERE ex MATCH iccache_vector('[1, 0]') AND k = 1"), (Rows{{"2", "0"}}));
  // Off by default.
  Db off;
  three(off);
  EXPECT_EQ(off.scalar("SELECT sum(hit) FROM ex WHERE ex MATCH iccache_vector('[1, 0]') AND k = 3"), "0");
  EXPECT_EQ(off.scalar("SELECT value FROM ex_stats WHERE key = 'hit_similarity'"), "NULL");
}

TEST(SelectMatch, TextQueriesGetTheColdStartUtilityToo) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64)");
  db.exec("INSERT INTO ex(request, response) VALUES ('Natalia sold 48 clips in April', '72'),"
          " ('a question about spiders', 'eight')");
  // Lexical features are computed for TEXT but weigh nothing before training.
  const Rows r = db.query("SELECT similarity, utility FROM ex WHERE ex MATCH 'Natalia sold 48 clips' AND k = 2");
  ASSERT_EQ(r.size(), 2u);
  for (const auto& row : r)
    EXPECT_NEAR(std::stod(row[1]), 1 / (1 + std::exp(3 - 6 * 0.5 * std::stod(row[0]))), 1e-12);
}

TEST(SelectMatch, CachedScoringAttributesFollowWritesAndOtherConnections) {
  iccache_test::TempFile f;
  Db db(f.path());
  three(db);
  const std::string q = "SELECT printf('%.6f', utility) FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 3 AND rowid = 1";
  EXPECT_EQ(db.scalar(q), "0.141851");  // quality 0.2, now cached
  db.exec("UPDATE ex SET quality = 1.0 WHERE rowid = 1");
  EXPECT_EQ(db.scalar(q), "0.952574");  // sigmoid(3): the update is seen at once
  Db other(f.path());
  EXPECT_EQ(other.scalar(q), "0.952574");
  other.exec("UPDATE ex SET quality = 0.5 WHERE rowid = 1");
  EXPECT_EQ(db.scalar(q), "0.500000");  // another connection's write too
  db.exec("BEGIN");
  db.exec("UPDATE ex SET quality = 0 WHERE rowid = 1");
  EXPECT_EQ(db.scalar(q), "0.047426");
  db.exec("ROLLBACK");
  EXPECT_EQ(db.scalar(q), "0.500000");  // and a rollback
}

TEST(SelectMatch, TrainCommandAndStatsRows) {
  Db db;
  db.set_defensive(false);  // damages ex_state on purpose below
  three(db);
  db.exec("INSERT INTO ex(ex) VALUES('train')");  // no feedback yet: the prior again
  EXPECT_EQ(db.query("SELECT key, value FROM ex_stats WHERE key IN ('selection', 'candidates', 'threshold',"
                     " 'threshold_source', 'utility_samples', 'utility.w.bias', 'utility.w.similarity_x_quality')"),
            (Rows{{"selection", "utility"}, {"candidates", "50"}, {"threshold", "0.0"},
                  {"threshold_source", "tuned"}, {"utility_samples", "0"}, {"utility.w.bias", "-3.0"},
                  {"utility.w.similarity_x_quality", "6.0"}}));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_stats WHERE key LIKE 'threshold.%.requests'"), "8");
  EXPECT_EQ(db.error_of("INSERT INTO ex(ex) VALUES('trian')"),
            "ex: unknown command 'trian'; expected one of: integrity-check, optimize, optimize-background, train, nprobe=N, forget");
  // A damaged model is reported, not used.
  db.exec("INSERT OR REPLACE INTO ex_state VALUES('select_model', x'00')");
  db.exec("INSERT OR REPLACE INTO ex_state VALUES('select_generation', 42)");
  EXPECT_EQ(db.error_of("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"),
            "ex: the utility model in ex_state (key select_model) is damaged; expected 1464 bytes of finite numbers");
  db.exec("INSERT INTO ex(ex) VALUES('train')");  // a refit repairs it
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "2");
}

TEST(SelectMatch, ExistingTablesShadowTablesIncludeSamples) {
  Db db;
  three(db);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_samples"), "0");
  db.exec("ALTER TABLE ex RENAME TO ey");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ey_samples"), "0");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ey WHERE ey MATCH iccache_vector('[1,0]') AND k = 1"), "2");
  db.exec("DROP TABLE ey");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ey%'"), "0");
}

}  // namespace
