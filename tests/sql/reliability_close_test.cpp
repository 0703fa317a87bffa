// Every SQL entry point leaves the connection closable: sqlite3_close (not _v2) answers
// SQLITE_BUSY while any prepared statement is left unfinalized. A statement kept on the
// virtual table itself is worse than a leak of one statement: it holds the table, whose
// destructor would finalize it, so the whole connection lived on as a zombie (found by
// LeakSanitizer in iccache_prompt).
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

namespace {

sqlite3* open_with_extension() {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_enable_load_extension(db, 1);
  EXPECT_EQ(sqlite3_load_extension(db, ICCACHE_EXT_PATH, "sqlite3_iccache_init", nullptr), SQLITE_OK);
  return db;
}

void run(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
}

class Close : public ::testing::TestWithParam<const char*> {};

TEST_P(Close, ConnectionClosesAfterTheCall) {
  sqlite3* db = open_with_extension();
  run(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=16, ivf_min=4, budget='1MB')");
  run(db, "INSERT INTO ex(rowid, request, response) VALUES(1, 'how many legs has a spider', 'eight'),"
          " (2, 'how many legs has an ant', 'six'), (3, 'capital of France', 'Paris'), (4, 'capital of Peru', 'Lima')");
  run(db, "SELECT * FROM iccache_route('ex', 'legs of a spider', '[1]')");
  run(db, GetParam());
  run(db, GetParam());  // twice: the second call reuses whatever the first one kept
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK) << "statements left unfinalized after: " << GetParam();
  sqlite3_close_v2(db);  // no-op when closed; frees a zombie otherwise
}

INSTANTIATE_TEST_SUITE_P(
    EveryEntryPoint, Close,
    ::testing::Values("SELECT rowid FROM ex WHERE ex MATCH 'spider legs' AND k = 2",
                      "SELECT * FROM ex WHERE rowid = 2", "SELECT * FROM ex",
                      "SELECT * FROM iccache_prompt('ex', 'spider legs')",
                      "SELECT * FROM iccache_route('ex', 'spider legs', '[1, 2]')",
                      "SELECT iccache_feedback('ex', 1, 0.5) WHERE NOT EXISTS (SELECT 1 FROM ex_decisions WHERE id = 1 AND reward IS NOT NULL)",
                      "SELECT iccache_example_feedback('ex', '[1]', 'small', 0.9)",
                      "SELECT iccache_load('ex', 3)", "SELECT iccache_evict('ex', '1MB')",
                      "SELECT * FROM ex_replay LIMIT 2", "SELECT * FROM ex_stats",
                      "INSERT INTO ex(ex) VALUES('optimize')", "INSERT INTO ex(ex) VALUES('integrity-check')",
                      "UPDATE ex SET response = 'Eight.' WHERE rowid = 1", "DELETE FROM ex WHERE rowid = 4"));

}  // namespace
