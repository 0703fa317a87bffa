// Encryption at rest (docs/privacy.md). Runs in the SQLCipher build of the SQL tests (ctest
// sqlcipher.sql_tests sets ICCACHE_TEST_KEY, and every other SQL test then runs on an
// encrypted file too); in the plain build there is no cipher to check, so it is skipped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::TempFile;

namespace {

TEST(Encryption, KeyedFileHoldsNoPlainBytes) {
  if (!std::getenv("ICCACHE_TEST_KEY")) GTEST_SKIP() << "plain SQLite build: no cipher";
  TempFile f;
  {
    Db db(f.path());
    EXPECT_EQ(db.scalar("PRAGMA cipher_version").substr(0, 2), "4.");
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    db.exec("INSERT INTO ex(request, response) VALUES('plain-marker-zq81 request', 'plain-marker-zq81 answer')");
    EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'plain-marker-zq81 request' AND k = 1"), "1");
    db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  }
  std::ifstream in(f.path(), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  ASSERT_GT(bytes.size(), 4096u);
  EXPECT_NE(bytes.substr(0, 15), "SQLite format 3");  // the header is encrypted too
  EXPECT_EQ(bytes.find("plain-marker-zq81"), std::string::npos);
  EXPECT_EQ(bytes.find("iccache"), std::string::npos);  // not even the schema
  // Reopened with the key: everything is there.
  Db again(f.path());
  EXPECT_EQ(again.scalar("SELECT response FROM ex"), "plain-marker-zq81 answer");
}

}  // namespace
