// Issue 15 items 4 and 5: one selection never shows the same request text twice (a loop run
// twice on one file admits every request again), and min_similarity (table option and
// per-query constraint) keeps unrelated examples out of the prompt.
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
  // Bad values: full sentences, nothing changed.
  EXPECT_EQ(db.error_of("SELECT * FROM ex WHERE ex MATCH 'x' AND k = 5 AND min_similarity = 2"),
            "ex.min_similarity: expected a cosine similarity from -1 to 1; received '2'");
  EXPECT_EQ(db.error_of("SELECT * FROM ex WHERE ex MATCH 'x' AND k = 5 AND min_similarity = 'high'"),
            "ex.min_similarity: expected a cosine similarity from -1 to 1; received 'high'");
  EXPECT_EQ(db.error_of("INSERT INTO ex(request, response, min_similarity) VALUES ('a', 'b', 0.5)"),
            "ex.min_similarity: is a query column and cannot be stored; expected NULL");
  Db bad;
  EXPECT_EQ(bad.error_of("CREATE VIRTUAL TABLE ex USING iccache(min_similarity=1.5)"),
            "ex: option min_similarity=1.5 is not valid; expected a cosine similarity from -1 to 1");
}

}  // namespace
