// Issue 11 items 1 and 2: a table name given to a function resolves exactly as SQL resolves
// it (temp, main, then attached databases in order; 'schema.table' with quoted parts names
// one), for every function, table-valued function and view; and no function ever acts on
// a table definition that is no longer the schema's (DETACH + ATTACH of another file under
// the same name, DROP + CREATE by another connection, a rolled-back CREATE).
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

// A file holding ex(dim=8) with one example whose response is `answer`.
void make_file(const std::string& path, const std::string& answer, const std::string& options = "dim=8") {
  Db db(path);
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(" + options + ")");
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(1, 'account question', '" + answer + "')");
}

// Two files each holding ex (main's answer "main answer", aux's "AUX-SECRET"), the second
// attached as aux to a connection on the first.
struct MainAndAux {
  TempFile main_file, aux_file;
  Db db{both_made()};
  MainAndAux() { db.exec("ATTACH '" + aux_file.path() + "' AS aux" + iccache_test::key_clause()); }
  std::string both_made() {
    make_file(main_file.path(), "main answer");
    make_file(aux_file.path(), "AUX-SECRET");
    return main_file.path();
  }
};

std::string prompt_answer(Db& db, const std::string& name) {
  return db.scalar("SELECT json_extract(messages, '$[1].content') FROM iccache_prompt('" + name +
                   "', 'account question')");
}

std::string stat(Db& db, const std::string& from, const std::string& key) {
  return db.scalar("SELECT value FROM " + from + " WHERE key = '" + key + "'");
}

TEST(HostileNames, MainHidesAttachedAndQualifiedNamesReachEachSchema) {
  MainAndAux files;
  Db& db = files.db;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM aux.ex"), "1");  // aux.ex is connected first
  EXPECT_EQ(prompt_answer(db, "ex"), "main answer");
  EXPECT_EQ(prompt_answer(db, "main.ex"), "main answer");
  EXPECT_EQ(prompt_answer(db, "aux.ex"), "AUX-SECRET");
  EXPECT_EQ(prompt_answer(db, "\"aux\".\"ex\""), "AUX-SECRET");
  EXPECT_EQ(prompt_answer(db, "[aux].`ex`"), "AUX-SECRET");
  EXPECT_EQ(prompt_answer(db, "AUX.EX"), "AUX-SECRET");  // SQL names ignore ASCII case
  // Eviction of 'ex' empties main.ex, never aux.ex.
  db.exec("SELECT iccache_evict('ex', '1')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM main.ex"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM aux.ex"), "1");
  // Each schema's views read their own table; the function form follows the name.
  EXPECT_EQ(stat(db, "aux.ex_stats", "examples"), "1");
  EXPECT_EQ(stat(db, "main.ex_stats", "examples"), "0");
  EXPECT_EQ(stat(db, "iccache_stats('aux.ex')", "examples"), "1");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "examples"), "0");
  EXPECT_EQ(db.query("SELECT rowid, request FROM aux.ex_replay"), (Rows{{"1", "account question"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM main.ex_replay"), Rows{});
  EXPECT_EQ(db.query("SELECT rowid FROM iccache_replay('aux.ex')"), (Rows{{"1"}}));
  EXPECT_EQ(db.query("SELECT rowid FROM iccache_replay('ex')"), Rows{});
  EXPECT_EQ(db.error_of("SELECT iccache_evict('nope.ex', '1')"),
            "iccache_evict: there is no iccache table named 'nope.ex'; expected the name of a"
            " table created with USING iccache(...)");
}

TEST(HostileNames, EveryFunctionWritesOnlyTheTableItsNameResolvesTo) {
  MainAndAux files;
  Db& db = files.db;
  db.exec("SELECT count(*) FROM aux.ex");
  // Route + feedback on aux.ex: the decision and the example statistics land in aux only.
  const std::string d =
      db.scalar("SELECT decision FROM iccache_route('aux.ex', 'account question', '[1]')");
  db.exec("SELECT iccache_feedback('aux.ex', " + d + ", 0.9)");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM aux.ex_decisions WHERE reward IS NOT NULL"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM main.ex_decisions"), "0");
  EXPECT_EQ(db.scalar("SELECT uses FROM aux.ex WHERE rowid = 1"), "1");
  EXPECT_EQ(db.scalar("SELECT uses FROM main.ex WHERE rowid = 1"), "0");
  // The same decision id is not one of main.ex's decisions.
  EXPECT_NE(db.error_of("SELECT iccache_feedback('ex', " + d + ", 0.9)"), "");
  db.exec("SELECT iccache_example_feedback('aux.ex', '[1]', 'small', 0.5)");
  EXPECT_EQ(db.scalar("SELECT uses FROM aux.ex WHERE rowid = 1"), "2");
  EXPECT_EQ(db.scalar("SELECT uses FROM main.ex WHERE rowid = 1"), "0");
  db.exec("SELECT iccache_load('aux.ex', 42)");
  EXPECT_EQ(db.scalar("SELECT iccache_load('aux.ex')"), "42.0");
  EXPECT_EQ(stat(db, "aux.ex_stats", "load_manual"), "42.0");
  EXPECT_EQ(stat(db, "main.ex_stats", "load_manual"), "NULL");
  db.exec("SELECT iccache_calibrate('aux.ex', 0.5)");
  EXPECT_EQ(stat(db, "main.ex_stats", "decisions"), "0");
  EXPECT_EQ(stat(db, "aux.ex_stats", "decisions"), "1");
}

TEST(HostileNames, TempHidesMainAsInSql) {
  TempFile main_file;
  make_file(main_file.path(), "main answer");
  Db db(main_file.path());
  db.exec("CREATE VIRTUAL TABLE temp.ex USING iccache(dim=8)");
  db.exec("INSERT INTO temp.ex(rowid, request, response) VALUES(1, 'account question', 'temp answer')");
  EXPECT_EQ(db.scalar("SELECT response FROM ex"), "temp answer");  // SQL's own resolution
  EXPECT_EQ(prompt_answer(db, "ex"), "temp answer");
  EXPECT_EQ(prompt_answer(db, "main.ex"), "main answer");
  EXPECT_EQ(prompt_answer(db, "temp.ex"), "temp answer");
  EXPECT_EQ(stat(db, "temp.ex_stats", "examples"), "1");
  db.exec("SELECT iccache_evict('main.ex', '1')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM main.ex"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM temp.ex"), "1");
  db.exec("DROP TABLE temp.ex");
  EXPECT_EQ(prompt_answer(db, "ex"), "NULL");  // main.ex, now empty: no example in the prompt
}

TEST(HostileNames, FirstAttachedInOrderWhenMainHasNone) {
  TempFile a, b;
  make_file(a.path(), "first");
  make_file(b.path(), "second");
  Db db;
  db.exec("ATTACH '" + b.path() + "' AS b2" + iccache_test::key_clause());
  db.exec("ATTACH '" + a.path() + "' AS a1" + iccache_test::key_clause());
  EXPECT_EQ(db.scalar("SELECT response FROM ex"), "second");
  EXPECT_EQ(prompt_answer(db, "ex"), "second");
  EXPECT_EQ(prompt_answer(db, "a1.ex"), "first");
}

TEST(HostileNames, TableNamesWithDotsAndQuotes) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE \"a.b\" USING iccache(dim=8)");
  db.exec("CREATE VIRTUAL TABLE \"q\"\"t\" USING iccache(dim=8)");
  db.exec("INSERT INTO \"a.b\"(request, response) VALUES('account question', 'dotted')");
  db.exec("INSERT INTO \"q\"\"t\"(request, response) VALUES('account question', 'quoted')");
  EXPECT_EQ(prompt_answer(db, "a.b"), "dotted");  // no schema 'a': the whole text is the name
  EXPECT_EQ(prompt_answer(db, "\"a.b\""), "dotted");
  EXPECT_EQ(prompt_answer(db, "main.\"a.b\""), "dotted");
  EXPECT_EQ(prompt_answer(db, "q\"t"), "quoted");
  EXPECT_EQ(prompt_answer(db, "main.\"q\"\"t\""), "quoted");
  EXPECT_EQ(stat(db, "\"a.b_stats\"", "examples"), "1");
}

// Item 2: customer A's file has ex(dim=8, budget='1KB'), B's has ex(dim=8) with 50 rows. A
// statement cached on A's table (as Python's statement cache keeps one) must not make
// iccache_evict('ex') use A's budget on B's rows after DETACH A + ATTACH B under one name.
TEST(HostileNames, ReattachedSchemaNameUsesTheNewFilesTable) {
  TempFile a, b;
  {
    Db da(a.path());
    da.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, budget='1KB')");
    da.exec("INSERT INTO ex(request, response) VALUES('a question', 'an answer')");
    Db dbb(b.path());
    dbb.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
    dbb.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
             " INSERT INTO ex(request, response) SELECT 'question ' || i, 'answer ' || i FROM n");
  }
  Db db;
  db.exec("ATTACH '" + a.path() + "' AS cust" + iccache_test::key_clause());
  sqlite3_stmt* cached = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT rowid FROM cust.ex WHERE ex MATCH 'a question' AND k = 1",
                               -1, &cached, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(cached), SQLITE_ROW);
  sqlite3_reset(cached);  // kept, as a statement cache keeps it
  db.exec("DETACH cust");
  db.exec("ATTACH '" + b.path() + "' AS cust" + iccache_test::key_clause());
  EXPECT_EQ(db.error_of("SELECT iccache_evict('ex')"),
            "iccache_evict: table ex has no budget option; expected a budget argument such as"
            " iccache_evict('ex', '256MB')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM cust.ex"), "50");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "budget"), "NULL");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "examples"), "50");
  sqlite3_finalize(cached);
}

// DROP + CREATE with other options by another connection: this connection's functions see
// the new definition (no stale dim, no false "stored vector has 64 bytes" corruption).
TEST(HostileNames, DropAndCreateByAnotherConnection) {
  TempFile f;
  Db one(f.path());
  one.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, budget='1MB')");
  one.exec("INSERT INTO ex(request, response) VALUES('account question', 'old')");
  sqlite3_stmt* cached = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(one.get(), "SELECT rowid FROM ex WHERE ex MATCH 'account question' AND k = 1",
                               -1, &cached, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(cached), SQLITE_ROW);
  sqlite3_reset(cached);
  EXPECT_EQ(prompt_answer(one, "ex"), "old");
  {
    Db two(f.path());
    two.exec("DROP TABLE ex");
    two.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    two.exec("INSERT INTO ex(request, response) VALUES('account question', 'new')");
  }
  EXPECT_EQ(prompt_answer(one, "ex"), "new");
  EXPECT_EQ(stat(one, "iccache_stats('ex')", "dim"), "16");
  EXPECT_EQ(stat(one, "iccache_stats('ex')", "budget"), "NULL");
  EXPECT_EQ(stat(one, "ex_stats", "dim"), "16");
  EXPECT_EQ(one.scalar("SELECT count(*) FROM iccache_route('ex', 'account question', '[1]')"), "1");
  EXPECT_EQ(one.error_of("SELECT iccache_evict('ex')"),
            "iccache_evict: table ex has no budget option; expected a budget argument such as"
            " iccache_evict('ex', '256MB')");
  sqlite3_finalize(cached);
}

// A CREATE rolled back, then a CREATE with other options: the functions use the second.
TEST(HostileNames, RolledBackCreateIsForgotten) {
  TempFile f;
  Db db(f.path());
  db.exec("BEGIN");
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, budget='1KB')");
  db.exec("INSERT INTO ex(request, response) VALUES('account question', 'rolled back')");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "dim"), "8");
  sqlite3_stmt* cached = nullptr;  // holds the rolled-back table object
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT rowid FROM ex WHERE ex MATCH 'account question' AND k = 1",
                               -1, &cached, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(cached), SQLITE_ROW);
  sqlite3_reset(cached);
  db.exec("ROLLBACK");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_stats('ex')"),
            "iccache_stats: there is no iccache table named 'ex'; expected the name of a table"
            " created with USING iccache(...)");
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
  db.exec("INSERT INTO ex(request, response) VALUES('account question', 'kept')");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "dim"), "16");
  EXPECT_EQ(stat(db, "iccache_stats('ex')", "budget"), "NULL");
  EXPECT_EQ(prompt_answer(db, "ex"), "kept");
  sqlite3_finalize(cached);
}

TEST(HostileNames, VanishedTableIsSaid) {
  TempFile f;
  Db one(f.path());
  one.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  one.exec("SELECT count(*) FROM ex");
  {
    Db two(f.path());
    two.exec("DROP TABLE ex");
  }
  EXPECT_EQ(one.error_of("SELECT iccache_load('ex')"),
            "iccache_load: there is no iccache table named 'ex'; expected the name of a table"
            " created with USING iccache(...)");
}

}  // namespace
