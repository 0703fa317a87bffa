// Selection: exact cosine top-k through MATCH, ties by rowid, tenant filter inside the
// search, text and vector queries.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

TEST(Match, ThreeVectorsQueryReturnsItselfWithSimilarityOne) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=3, embedder='none')");
  db.exec("INSERT INTO ex(request, response, embedding) VALUES"
          "('a','A','[1,0,0]'), ('b','B','[0,1,0]'), ('c','C','[0,0,1]')");
  Rows r = db.query("SELECT rowid, request, response, similarity FROM ex "
                    "WHERE ex MATCH iccache_vector('[0,1,0]') AND k = 3");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (iccache_test::Row{"2", "b", "B", "1.0"}));
  EXPECT_EQ(r[1], (iccache_test::Row{"1", "a", "A", "0.0"}));  // tie at 0: smaller rowid first
  EXPECT_EQ(r[2], (iccache_test::Row{"3", "c", "C", "0.0"}));
}

TEST(Match, BlobQueryAndKLimits) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  for (int i = 1; i <= 10; ++i)
    db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(i) +
            ", 'r', 's', '[" + std::to_string(i) + ", 1]')");
  EXPECT_EQ(db.query("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 4").size(), 4u);
  EXPECT_EQ(db.query("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 4096").size(), 10u);
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH "
                      "iccache_vector('[1,0]') AND k = 3)"),
            "10,9,8");
  // float32 little-endian BLOB, as sqlite-vec's vec_f32 produces: [0, 1]
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH x'000000000000803f' AND k = 1"), "1");
}

TEST(Match, EqualVectorsComeBackInRowidOrder) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none')");
  for (int id : {9, 2, 5, 7})
    db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(id) +
            ", 'q" + std::to_string(id) + "', 'a', '[1,2,3,4]')");  // distinct texts: not repeats
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH "
                      "iccache_vector('[1,2,3,4]') AND k = 3)"),
            "2,5,7");
}

TEST(Match, TenantFilterIsInsideTheSearch) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  // 20 near rows of tenant 'a', 3 far rows of tenant 'b'.
  for (int i = 0; i < 20; ++i)
    db.exec("INSERT INTO ex(request, response, embedding, tenant) VALUES('q" + std::to_string(i) + "','a','[1, 0.0" +
            std::to_string(i) + "]', 'a')");
  for (int i = 0; i < 3; ++i)
    db.exec("INSERT INTO ex(request, response, embedding, tenant) VALUES('q','b','[0." +
            std::to_string(i + 1) + ", 1]', 'b')");
  Rows r = db.query("SELECT tenant FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 3 AND tenant = 'b'");
  ASSERT_EQ(r.size(), 3u);
  for (auto& row : r) EXPECT_EQ(row[0], "b");
  EXPECT_EQ(db.query("SELECT 1 FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 5 AND tenant = 'zzz'").size(), 0u);
  EXPECT_EQ(db.query("SELECT 1 FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 30").size(), 23u);
}

TEST(Match, HashEmbedderFindsTheRelatedRequest) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=256)");
  db.exec("INSERT INTO ex(request, response) VALUES"
          "('What is the capital of France?', 'Paris.'),"
          "('How many legs does a spider have?', 'Eight.'),"
          "('Natalia sold clips to 48 of her friends in April', '72')");
  EXPECT_EQ(db.scalar("SELECT response FROM ex WHERE ex MATCH 'capital city of france' AND k = 1"), "Paris.");
  EXPECT_EQ(db.scalar("SELECT response FROM ex WHERE ex MATCH 'how many legs has a spider' AND k = 1"), "Eight.");
  EXPECT_EQ(db.scalar("SELECT printf('%.6f', similarity) FROM ex WHERE ex MATCH "
                      "'What is the capital of France?' AND k = 1"),
            "1.000000");
  // JSON text is a vector even with the hash embedder.
  EXPECT_EQ(db.query("SELECT 1 FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = 2) AND k = 1")[0][0], "1");
}

TEST(Match, OrderBySimilarityAndJoins) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  db.exec("INSERT INTO ex(request, response, embedding) VALUES('a','A','[1,0]'),('b','B','[1,1]'),('c','C','[0,1]')");
  EXPECT_EQ(db.scalar("SELECT group_concat(request) FROM (SELECT request FROM ex WHERE ex MATCH "
                      "iccache_vector('[1,0]') AND k = 3 ORDER BY similarity ASC)"),
            "c,b,a");
  db.exec("CREATE TABLE q(v TEXT); INSERT INTO q VALUES('[0,1]'), ('[1,0]')");
  EXPECT_EQ(db.scalar("SELECT group_concat(ex.request) FROM q, ex WHERE ex MATCH iccache_vector(q.v) AND k = 1"), "c,a");
}

}  // namespace
