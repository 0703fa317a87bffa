// INSERT, UPDATE, DELETE and SELECT with defaults, replace, rowid changes and re-embedding.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;

namespace {

TEST(Crud, DefaultsForOmittedColumns) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32, models='mini:0.2,maxi:1')");
  db.exec("INSERT INTO ex(request, response) VALUES('hello world', 'hi')");
  EXPECT_EQ(db.query("SELECT rowid, request, response, model, quality, tenant, uses, offloads, gain,"
                     " created_at > 1.7e9, bytes FROM ex")[0],
            (iccache_test::Row{"1", "hello world", "hi", "maxi", "0.5", "", "0", "0", "0.0", "1",
                               std::to_string(11 + 2 + 4 + 0 + 128 + 64)}));
}

TEST(Crud, UpdateKeepsOrReplacesTheVector) {
  Db db;
  // text_index='vector': MATCH with text ranks by the rows' vectors, caller-supplied ones too.
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, text_index='vector')");
  db.exec("INSERT INTO ex(request, response) VALUES('how to bake bread', 'knead'), ('tax return deadline', 'April')");
  auto best = [&](const char* q) {
    return db.scalar(std::string("SELECT rowid FROM ex WHERE ex MATCH '") + q + "' AND k = 1");
  };
  EXPECT_EQ(best("bake bread"), "1");
  db.exec("UPDATE ex SET response = 'knead well', quality = 0.9 WHERE rowid = 1");  // vector kept
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'how to bake bread' AND k = 1"), "1.0000");
  db.exec("UPDATE ex SET request = 'file my tax return' WHERE rowid = 1");  // re-embedded
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'file my tax return' AND k = 1"), "1.0000");
  EXPECT_EQ(db.scalar("SELECT response || ',' || quality FROM ex WHERE rowid = 1"), "knead well,0.9");
  db.exec("UPDATE ex SET embedding = (SELECT embedding FROM ex WHERE rowid = 2) WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH 'tax return deadline' AND k = 2)"), "1,2");
  db.exec("UPDATE ex SET embedding = NULL WHERE rowid = 1");  // back to the request's vector
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'file my tax return' AND k = 1"), "1.0000");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(Crud, RowidChangeAndReplace) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]'),(2,'b','B','[0,1]')");
  db.exec("UPDATE ex SET rowid = 10 WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "10");
  EXPECT_NE(db.error_of("UPDATE ex SET rowid = 2 WHERE rowid = 10").find("already exists"), std::string::npos);
  db.exec("INSERT OR REPLACE INTO ex(rowid, request, response, embedding) VALUES(2,'c','C','[1,0.5]')");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid || request) FROM ex"), "2c,10a");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[0,1]') AND k = 2)"), "2,10");
  EXPECT_EQ(db.scalar("SELECT request FROM ex WHERE rowid = 10"), "a");
  EXPECT_EQ(db.query("SELECT request FROM ex WHERE rowid = 'x'").size(), 0u);
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(Crud, UnicodeRoundTrip) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=128)");
  std::string text = "Grüße aus München — 日本語のテキスト 🚀";
  std::string big;
  for (int i = 0; i < 200; ++i) big += text;
  db.exec("INSERT INTO ex(request, response) VALUES('" + text + "', '" + big + "')");
  EXPECT_EQ(db.scalar("SELECT request FROM ex"), text);
  EXPECT_EQ(db.scalar("SELECT response = '" + big + "' FROM ex"), "1");
  EXPECT_EQ(db.scalar("SELECT response_enc FROM ex_data"), "1");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'grüße MÜNCHEN' AND k = 1"), "1");
}

}  // namespace
