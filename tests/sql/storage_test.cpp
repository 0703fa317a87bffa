// Shadow tables: what an insert and a delete leave in them, protection from direct writes,
// space given back, rename and drop, and integrity-check catching tampering.
#include <gtest/gtest.h>

#include "../common/expect_contains.h"
#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

TEST(Storage, ShadowRowsAfterInsertAndDelete) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none')");
  std::string long_text(500, 'x');
  db.exec("INSERT INTO ex(rowid, request, response, embedding, model, quality, tenant, created_at) VALUES"
          "(7, 'short', '" + long_text + "', '[3,0,4,0]', 'small', 0.25, 'acme', 1700000000)");
  Rows d = db.query("SELECT id, request, request_enc, response_enc, length(response) < 100, model, quality,"
                    " tenant, created_at, uses, offloads, gain, bytes FROM ex_data");
  ASSERT_EQ(d.size(), 1u);
  // short text stays raw (hex of 'short'); 500 x's compress with lz4 (enc 1).
  EXPECT_EQ(d[0], (iccache_test::Row{"7", "73686f7274", "0", "1", "1", "small", "0.25", "acme",
                                     "1700000000.0", "0", "0", "0.0", d[0][12]}));
  // bytes = stored request + stored response + model + tenant + 4 * dim + 64.
  EXPECT_EQ(db.scalar("SELECT bytes = length(request) + length(response) + 5 + 4 + 16 + 64 FROM ex_data"), "1");
  EXPECT_EQ(db.scalar("SELECT bytes FROM ex"), d[0][12]);
  EXPECT_EQ(db.scalar("SELECT response = '" + long_text + "' FROM ex"), "1");
  // unit vector [0.6, 0, 0.8, 0] as float32 LE
  EXPECT_EQ(db.query("SELECT id, vector FROM ex_vectors")[0],
            (iccache_test::Row{"7", "9a99193f00000000cdcc4c3f00000000"}));
  EXPECT_EQ(db.scalar("SELECT hex(embedding) FROM ex"), "9A99193F00000000CDCC4C3F00000000");
  db.exec("DELETE FROM ex WHERE rowid = 7");
  EXPECT_EQ(db.scalar("SELECT (SELECT count(*) FROM ex_data) + (SELECT count(*) FROM ex_vectors)"), "0");
}

TEST(Storage, ShadowTablesAreProtectedInDefensiveMode) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  EXPECT_CONTAINS(db.error_of("DELETE FROM ex_vectors"), "may not be modified");
}

TEST(Storage, DeleteGivesSpaceBack) {
  TempFile f;
  Db db(f.path());
  // A short change log (pruned every 256 writes to its newest 256 entries), so that what
  // the file holds after the refill is the examples, not 4,000 more log entries.
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, change_log_keep=256)");
  auto fill = [&] {
    db.exec("BEGIN");
    for (int i = 0; i < 2000; ++i)
      db.exec("INSERT INTO ex(request, response) VALUES('question number " + std::to_string(i) +
              " about apples and pears', 'answer " + std::to_string(i) + "')");
    db.exec("COMMIT");
  };
  fill();
  std::string pages = db.scalar("PRAGMA page_count");
  db.exec("DELETE FROM ex");
  EXPECT_GT(std::stoi(db.scalar("PRAGMA freelist_count")), std::stoi(pages) / 2);
  fill();  // the freed pages are reused: the file does not grow
  EXPECT_EQ(db.scalar("PRAGMA page_count"), pages);
}

TEST(Storage, RenameAndDrop) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  db.exec("INSERT INTO ex(request, response, embedding) VALUES('a','A','[1,0]')");
  db.exec("ALTER TABLE ex RENAME TO cache");
  EXPECT_EQ(db.scalar("SELECT request FROM cache WHERE cache MATCH iccache_vector('[1,0]') AND k = 1"), "a");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'cache_%'"), "13");  // 11 shadow tables, 2 views
  db.exec("DROP TABLE cache");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema"), "0");
}

TEST(Storage, IntegrityCheckReportsTampering) {
  TempFile f;
  Db db(f.path());
  db.set_defensive(false);  // tampers with the shadow tables on purpose
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]'),(2,'b','B','[0,1]')");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  db.exec("DELETE FROM ex_vectors WHERE id = 2");
  EXPECT_CONTAINS(db.error_of("INSERT INTO ex(ex) VALUES('integrity-check')"), "example 2 has no vector");
  db.exec("INSERT INTO ex_vectors VALUES(2, x'0000')");
  EXPECT_CONTAINS(db.error_of("INSERT INTO ex(ex) VALUES('integrity-check')"), "example 2 vector has 2 bytes; expected 8");
  // A connection that loads the index from the tampered rows reports it instead of crashing.
  Db other(f.path());
  EXPECT_CONTAINS(other.error_of("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "stored vector of example 2 has 2 bytes");
  db.exec("UPDATE ex_vectors SET vector = x'0000803f00000000' WHERE id = 2");
  db.exec("UPDATE ex_data SET response = x'01ff', response_enc = 1 WHERE id = 1");
  EXPECT_CONTAINS(db.error_of("INSERT INTO ex(ex) VALUES('integrity-check')"), "example 1 response");
}

}  // namespace
