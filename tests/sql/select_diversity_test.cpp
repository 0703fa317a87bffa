// Issue 15 items 4 and 5: one selection never shows the same request text twice (a loop run
// twice on one file admits every request again), min_similarity (table option and per-query
// constraint) keeps unrelated examples out of the prompt, diversity (MMR, table option and
// per-query constraint) passes over near copies, and dedup=on keeps one example per request.
// The exact errors of bad min_similarity and diversity values are in slt/select.test.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

void fill(Db& db, const std::string& extra = "") {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, seed=4" + extra + ")");
  db.exec("BEGIN");
  for (int copy = 0; copy < 3; ++copy)  // three copies of each of four problems
    for (int p = 0; p < 4; ++p)
      db.exec("INSERT INTO ex(request, response, quality) VALUES ('A train travels " + std::to_string(60 + p) +
              " miles per hour for 3 hours. How far does it go?', 'It goes " + std::to_string(3 * (60 + p)) +
              " miles (copy " + std::to_string(copy) + ").', 0.9)");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('A car travels 50 miles per hour for 2 hours. How far?', '100 miles.', 0.9)");
  db.exec("COMMIT");
}

void expect_distinct(const Rows& r, size_t n, const std::string& what) {
  std::set<std::string> texts;
  for (const auto& row : r) texts.insert(row[0]);
  EXPECT_EQ(texts.size(), r.size()) << what;
  if (n) EXPECT_EQ(r.size(), n) << what;
}

TEST(SelectDiversity, NoDuplicateTextInOneSelection) {
  for (const char* mode : {"utility", "similarity"}) {
    Db db;
    fill(db, std::string(", selection='") + mode + "'");
    const Rows r = db.query("SELECT request FROM ex WHERE ex MATCH 'A train travels 61 miles per hour for 3 hours.'"
                            " AND k = 5");
    expect_distinct(r, 5, mode);  // 5 distinct texts exist among 13 rows
    // iccache_prompt selects through MATCH: its examples are distinct too.
    const std::string ids = db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'A train travels 61 miles per"
                                      " hour for 3 hours.', 5)");
    const Rows shown = db.query("SELECT request FROM ex WHERE rowid IN (SELECT value FROM json_each('" + ids + "'))");
    expect_distinct(shown, 0, std::string("prompt ") + mode);  // as many as fit max_chars
    EXPECT_GE(shown.size(), 3u) << mode;
  }
}

TEST(SelectDiversity, MinSimilarityAsOptionAndPerQuery) {
  Db db;
  fill(db, ", min_similarity=0.5");
  // Unrelated: nothing is similar enough, so no example at all.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'capital of France' AND k = 5"), "0");
  EXPECT_EQ(db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'capital of France', 5)"), "[]");
  // Related requests still get examples, every one at least that similar.
  const Rows r = db.query("SELECT similarity, min_similarity FROM ex WHERE ex MATCH 'A train travels 61 miles per"
                          " hour for 3 hours.' AND k = 5");
  ASSERT_FALSE(r.empty());
  for (const auto& row : r) {
    EXPECT_GE(std::stod(row[0]), 0.5);
    EXPECT_EQ(row[1], "0.5");
  }
  // Per query: a lower floor lets unrelated examples through again, a higher one keeps fewer.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'capital of France' AND k = 5 AND min_similarity = -1"), "5");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'A train travels 61 miles per hour for 3 hours.'"
                      " AND k = 5 AND min_similarity = 1"), "0");
}

// Four examples around the query [1, 0, 0] (3-d, embedder='none'): A (cosine 0.990), A2 a near
// copy of A (0.980; cosine to A 0.998), B (0.800) and C (0.700, the least like A: 0.59).
void fill_mmr(Db& db, const std::string& extra) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=3, embedder='none', seed=1" + extra + ")");
  db.exec("INSERT INTO ex(request, response, quality, embedding) VALUES"
          " ('A', 'a', 0.9, '[0.99, 0.141, 0]'), ('A2', 'a2', 0.9, '[0.98, 0.199, 0]'),"
          " ('B', 'b', 0.9, '[0.8, 0, 0.6]'), ('C', 'c', 0.9, '[0.7, -0.714, 0]')");
}

std::string picks(Db& db, const std::string& where = "") {
  std::string out;
  for (const auto& row : db.query("SELECT request FROM ex WHERE ex MATCH iccache_vector('[1, 0, 0]') AND k = 3" + where))
    out += (out.empty() ? "" : ",") + row[0];
  return out;
}

TEST(SelectDiversity, MmrOptionAndPerQuery) {
  // Utility mode (threshold pinned at 0, cold-start utilities, monotone in similarity) and
  // similarity mode pick the same: relevance alone takes A then its near copy A2; diversity
  // 0.5 takes C second (0.5 x 0.70 - 0.5 x 0.59 beats A2's 0.5 x 0.98 - 0.5 x 0.998), then B.
  for (const char* mode : {"selection='utility', threshold=0", "selection='similarity'"}) {
    Db plain;
    fill_mmr(plain, std::string(", ") + mode);
    EXPECT_EQ(picks(plain), "A,A2,B") << mode;
    EXPECT_EQ(picks(plain, " AND diversity = 0.5"), "A,C,B") << mode;
    EXPECT_EQ(picks(plain, " AND diversity = 0.2"), "A,A2,B") << mode;  // relevance still wins
    Db diverse;
    fill_mmr(diverse, std::string(", diversity=0.5, ") + mode);
    EXPECT_EQ(picks(diverse), "A,C,B") << mode;
    EXPECT_EQ(picks(diverse, " AND diversity = 0"), "A,A2,B") << mode;  // per query overrides
    EXPECT_EQ(picks(diverse, " AND diversity = 1"), "A,C,B") << mode;
    EXPECT_EQ(diverse.scalar("SELECT group_concat(diversity) FROM ex WHERE ex MATCH iccache_vector('[1, 0, 0]')"
                             " AND k = 2"), "0.5,0.5");
    // Pick order is not utility order: ORDER BY still sorts.
    EXPECT_EQ(diverse.scalar("SELECT group_concat(request) FROM (SELECT request FROM ex WHERE ex MATCH"
                             " iccache_vector('[1, 0, 0]') AND k = 3 ORDER BY similarity DESC)"), "A,B,C") << mode;
    // iccache_prompt selects through MATCH, so it shows the diverse set.
    EXPECT_EQ(diverse.scalar("SELECT example_ids FROM iccache_prompt WHERE tbl = 'ex' AND request = 'q' AND k = 3"
                             " AND embedding = '[1, 0, 0]'"), "[1,4,3]")
        << mode;
  }
}

TEST(SelectDiversity, DedupOnAdmissionKeepsTheBetterJudgedCopy) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, dedup=on)");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 60 mph?', 'first', 0.6)");
  EXPECT_EQ(db.scalar("SELECT last_insert_rowid()"), "1");
  // Worse or equal: the stored copy stays, nothing is written, the INSERT reports its rowid.
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 60 mph?', 'worse', 0.5)");
  EXPECT_EQ(db.scalar("SELECT last_insert_rowid()"), "1");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 60 mph?', 'tie', 0.6)");
  EXPECT_EQ(db.query("SELECT rowid, response, quality FROM ex"), (Rows{{"1", "first", "0.6"}}));
  // Better: it replaces the stored copy (a new rowid: ids are never reused).
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 60 mph?', 'better', 0.9)");
  EXPECT_EQ(db.query("SELECT rowid, response, quality FROM ex"), (Rows{{"2", "better", "0.9"}}));
  // Another tenant, or another text, is another request.
  db.exec("INSERT INTO ex(request, response, quality, tenant) VALUES ('How far is 3 hours at 60 mph?', 't', 0.1, 'acme')");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 61 mph?', 'other', 0.1)");
  EXPECT_EQ(db.scalar("SELECT group_concat(response) FROM (SELECT response FROM ex ORDER BY rowid)"), "better,t,other");
  // Inside one transaction, and rolled back with it.
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 61 mph?', 'best', 1)");
  db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 61 mph?', 'again', 0.2)");
  EXPECT_EQ(db.scalar("SELECT group_concat(response) FROM (SELECT response FROM ex ORDER BY rowid)"), "better,t,best");
  db.exec("ROLLBACK");
  EXPECT_EQ(db.scalar("SELECT group_concat(response) FROM (SELECT response FROM ex ORDER BY rowid)"), "better,t,other");

  // Off (the default): every copy is stored, selection still shows one.
  Db off;
  off.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64)");
  for (int i = 0; i < 3; ++i)
    off.exec("INSERT INTO ex(request, response, quality) VALUES ('How far is 3 hours at 60 mph?', 'a', 0.6)");
  EXPECT_EQ(off.scalar("SELECT count(*) FROM ex"), "3");
  EXPECT_EQ(off.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'How far is 3 hours at 60 mph?' AND k = 5"), "1");

  // embedder='none': the same text with another vector is another example.
  Db v;
  v.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', dedup=on)");
  v.exec("INSERT INTO ex(request, response, quality, embedding) VALUES ('[img]', 'north', 0.5, '[0, 1]')");
  v.exec("INSERT INTO ex(request, response, quality, embedding) VALUES ('[img]', 'east', 0.5, '[1, 0]')");
  v.exec("INSERT INTO ex(request, response, quality, embedding) VALUES ('[img]', 'north again', 0.7, '[0, 2]')");
  EXPECT_EQ(v.scalar("SELECT group_concat(response) FROM (SELECT response FROM ex ORDER BY rowid)"), "east,north again");
}

}  // namespace
