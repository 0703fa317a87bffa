// One file, one truth: search results follow the tables through rollback, reopen, a second
// connection and a second process.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::TempFile;

namespace {

const char* kCreate = "CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none')";

std::string top(Db& db, const std::string& vec, int k = 10) {
  return db.scalar("SELECT ifnull(group_concat(rowid), '') FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" +
                   vec + "') AND k = " + std::to_string(k) + ")");
}

TEST(Consistency, TransactionRollback) {
  Db db;
  db.exec(kCreate);
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]')");
  EXPECT_EQ(top(db, "[1,0]"), "1");
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(2,'b','B','[1,0.1]')");
  db.exec("DELETE FROM ex WHERE rowid = 1");
  EXPECT_EQ(top(db, "[1,0]"), "2");  // the transaction sees its own writes
  db.exec("ROLLBACK");
  EXPECT_EQ(top(db, "[1,0]"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "1");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(Consistency, SavepointRollback) {
  Db db;
  db.exec(kCreate);
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]')");
  db.exec("SAVEPOINT s1");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(2,'b','B','[1,0.1]')");
  db.exec("UPDATE ex SET embedding = '[0,1]' WHERE rowid = 1");
  EXPECT_EQ(top(db, "[1,0]"), "2,1");
  db.exec("ROLLBACK TO s1");
  EXPECT_EQ(top(db, "[1,0]"), "1");
  EXPECT_EQ(db.scalar("SELECT printf('%.3f', similarity) FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 1"), "1.000");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(3,'c','C','[1,0.2]')");
  db.exec("COMMIT");
  EXPECT_EQ(top(db, "[1,0]"), "1,3");
}

TEST(Consistency, StatementRollbackInsideTransaction) {
  Db db;
  db.exec(kCreate);
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]')");
  EXPECT_EQ(top(db, "[1,0]"), "1");
  std::string err = db.error_of(
      "INSERT INTO ex(rowid, request, response, embedding) VALUES(2,'b','B','[1,0]'), (3,'c','C','[0,0]')");
  EXPECT_NE(err, "");
  EXPECT_EQ(top(db, "[1,0]"), "1");  // row 2 went with the failed statement
  db.exec("COMMIT");
  EXPECT_EQ(top(db, "[1,0]"), "1");
}

TEST(Consistency, SurvivesCloseAndReopen) {
  TempFile f;
  std::string before;
  {
    Db db(f.path());
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64)");
    db.exec("INSERT INTO ex(request, response, model, quality, tenant) VALUES"
            "('How do I reverse a list in Python?', 'Use reversed() or slicing.', 'small', 0.7, 't1'),"
            "('Boil an egg for how long?', 'About nine minutes.', 'large', 0.9, 't2')");
    db.exec("DELETE FROM ex WHERE rowid = 2");
    db.exec("INSERT INTO ex(request, response) VALUES('Reverse a string in Python', 's[::-1]')");
    before = db.scalar("SELECT group_concat(rowid || ':' || request || ':' || printf('%.4f', similarity), '|') "
                       "FROM ex WHERE ex MATCH 'reverse python list' AND k = 5");
  }
  Db db(f.path());
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid || ':' || request || ':' || printf('%.4f', similarity), '|') "
                      "FROM ex WHERE ex MATCH 'reverse python list' AND k = 5"),
            before);
  EXPECT_EQ(db.scalar("SELECT model || ',' || quality || ',' || tenant FROM ex WHERE rowid = 1"), "small,0.7,t1");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(Consistency, SecondConnectionSeesWrites) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  a.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]')");
  Db b(f.path());
  EXPECT_EQ(top(b, "[1,0]"), "1");  // b has loaded its index
  a.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(2,'b','B','[1,0.01]')");
  EXPECT_EQ(top(b, "[1,0]"), "1,2");
  a.exec("DELETE FROM ex WHERE rowid = 1");
  EXPECT_EQ(top(b, "[1,0]"), "2");
  b.exec("UPDATE ex SET embedding = '[0,1]' WHERE rowid = 2");
  EXPECT_EQ(a.scalar("SELECT rowid || ':' || printf('%.3f', similarity) FROM ex WHERE ex MATCH iccache_vector('[0,1]') AND k = 1"),
            "2:1.000");
}

TEST(Consistency, SecondProcessSeesWritesAndIsSeen) {
  // Debian's sqlite3 shell is the second process: it cannot open a SQLCipher file.
  if (iccache_test::test_key()) GTEST_SKIP() << "encrypted run: the sqlite3 shell cannot read the file";
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  a.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(1,'a','A','[1,0]')");
  EXPECT_EQ(top(a, "[1,0]"), "1");
  // A real second process: the sqlite3 shell loads the same build and writes the file.
  std::string out;
  int rc = iccache_test::run_command(
      "sqlite3 " + f.path() + " '.load " ICCACHE_EXT_PATH "' "
      "\"INSERT INTO ex(rowid, request, response, embedding) VALUES(2,'b','B','[1,0.01]')\" "
      "\"DELETE FROM ex WHERE rowid = 1\" "
      "\"SELECT group_concat(rowid) FROM ex\"",
      &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "2\n");
  EXPECT_EQ(top(a, "[1,0]"), "2");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
