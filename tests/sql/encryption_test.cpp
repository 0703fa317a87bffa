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

// What a user does: a passphrase (SQLCipher derives the key with PBKDF2), the extension
// loaded after PRAGMA key. Without the key or with another one the file cannot be read, and
// reading it so changes nothing; PRAGMA rekey re-encrypts every page, shadow tables included.
sqlite3* open_with(const std::string& path, const char* key_pragma) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  if (key_pragma) EXPECT_EQ(sqlite3_exec(db, key_pragma, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_enable_load_extension(db, 1);
  EXPECT_EQ(sqlite3_load_extension(db, ICCACHE_EXT_PATH, "sqlite3_iccache_init", nullptr), SQLITE_OK);
  return db;
}

std::string run(sqlite3* db, const std::string& sql) {
  std::string out;
  char* err = nullptr;
  auto row = [](void* o, int n, char** v, char**) {
    for (int i = 0; i < n; ++i) *static_cast<std::string*>(o) += (v[i] ? v[i] : "NULL") + std::string(i + 1 < n ? "|" : "\n");
    return 0;
  };
  if (sqlite3_exec(db, sql.c_str(), row, &out, &err) != SQLITE_OK) out = std::string("error: ") + (err ? err : "?");
  sqlite3_free(err);
  return out;
}

TEST(Encryption, PassphraseWrongKeyAndRekey) {
  if (!std::getenv("ICCACHE_TEST_KEY")) GTEST_SKIP() << "plain SQLite build: no cipher";
  TempFile f;
  sqlite3* db = open_with(f.path(), "PRAGMA key = 'correct horse battery staple'");
  EXPECT_EQ(run(db, "PRAGMA journal_mode = WAL"), "wal\n");
  EXPECT_EQ(run(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=16, pii='redact')"), "");
  EXPECT_EQ(run(db, "INSERT INTO ex(request, response, tenant) VALUES"
                    "('mail bob@example.com about the invoice', 'sent', 'acme')"), "");
  sqlite3_close(db);
  for (const char* wrong : {static_cast<const char*>(nullptr), "PRAGMA key = 'wrong horse'"}) {
    db = open_with(f.path(), wrong);
    EXPECT_EQ(run(db, "SELECT count(*) FROM ex"), "error: file is not a database");
    sqlite3_close(db);
  }
  db = open_with(f.path(), "PRAGMA key = 'correct horse battery staple'");
  EXPECT_EQ(run(db, "SELECT request FROM ex WHERE ex MATCH 'invoice' AND k = 1"),
            "mail <EMAIL> about the invoice\n");
  EXPECT_EQ(run(db, "PRAGMA rekey = 'new passphrase'"), "ok\n");
  sqlite3_close(db);
  db = open_with(f.path(), "PRAGMA key = 'correct horse battery staple'");
  EXPECT_EQ(run(db, "SELECT count(*) FROM ex"), "error: file is not a database");
  sqlite3_close(db);
  db = open_with(f.path(), "PRAGMA key = 'new passphrase'");
  EXPECT_EQ(run(db, "SELECT count(*) FROM ex_data"), "1\n");
  EXPECT_EQ(run(db, "INSERT INTO ex(ex) VALUES('integrity-check')"), "");
  EXPECT_EQ(run(db, "PRAGMA integrity_check"), "ok\n");
  sqlite3_close(db);
}

// The background trainer's own connection cannot read an encrypted file (it has no key):
// the automatic training runs in the writing connection instead, inside the INSERT that
// crosses ivf_min, and nothing is reported as failed.
TEST(Encryption, AutomaticTrainingRunsInTheWritingConnection) {
  if (!std::getenv("ICCACHE_TEST_KEY")) GTEST_SKIP() << "plain SQLite build: no cipher";
  TempFile f;
  Db db(f.path());
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, ivf_min=100, training='background')");
  for (int i = 0; i < 100; ++i)
    db.exec("INSERT INTO ex(request, response) VALUES('question " + std::to_string(i) + " about topic " +
            std::to_string(i % 7) + "', 'answer')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'ivf_trained_n'"), "100");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_centroids"), "10");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'training_runs'"), "1");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'training_background_runs'"), "0");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'training_error'"), "NULL");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'question 42 about topic 0' AND k = 1"), "43");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
