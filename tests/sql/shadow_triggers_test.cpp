// Issue 11 item 10: no triggers on shadow tables. SQLite 3.44+ in defensive mode (what
// better-sqlite3 12 and other current clients run) refuses to even parse a schema with a
// trigger on a shadow table ("cannot create triggers on shadow tables"), so the byte total
// is kept by the extension's own write path, and files written by earlier versions lose
// their triggers when a connection that may write opens them.
#include <gtest/gtest.h>

#include "../common/expect_contains.h"
#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::TempFile;

namespace {

const char* kTotalMatches =
    "SELECT (SELECT value FROM ex_state WHERE key = 'bytes') = (SELECT total(bytes) FROM ex)";

// The three triggers earlier versions created (exactly as they created them).
void add_legacy_triggers(Db& db) {
  db.exec("CREATE TRIGGER main.ex_bytes_insert AFTER INSERT ON ex_data BEGIN UPDATE ex_state"
          " SET value = value + new.bytes WHERE key = 'bytes'; END;"
          "CREATE TRIGGER main.ex_bytes_delete AFTER DELETE ON ex_data BEGIN UPDATE ex_state"
          " SET value = value + -old.bytes WHERE key = 'bytes'; END;"
          "CREATE TRIGGER main.ex_bytes_update AFTER UPDATE OF bytes ON ex_data BEGIN UPDATE"
          " ex_state SET value = value + new.bytes - old.bytes WHERE key = 'bytes'; END;");
}

TEST(ShadowTriggers, CreateMakesNoTrigger) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, budget='1MB')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "0");
  db.exec("ALTER TABLE ex RENAME TO ex2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "0");
}

TEST(ShadowTriggers, ByteTotalExactThroughEveryWritePath) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, budget='3KB')");
  for (int i = 0; i < 40; ++i)  // automatic eviction runs many times
    db.exec("INSERT INTO ex(request, response) VALUES('question " + std::to_string(i) +
            "', 'answer " + std::to_string(i) + "')");
  EXPECT_EQ(db.scalar(kTotalMatches), "1");
  db.exec("UPDATE ex SET response = response || ' and more' WHERE rowid % 2 = 0");
  db.exec("UPDATE ex SET rowid = rowid + 1000 WHERE rowid % 3 = 0");
  db.exec("DELETE FROM ex WHERE rowid % 5 = 0");
  db.exec("INSERT OR REPLACE INTO ex(rowid, request, response) SELECT rowid, 'r', 'x' FROM ex LIMIT 2");
  EXPECT_EQ(db.scalar(kTotalMatches), "1");
  db.exec("BEGIN; DELETE FROM ex; ROLLBACK");
  EXPECT_EQ(db.scalar(kTotalMatches), "1");
  db.exec("SELECT iccache_evict('ex', 600)");
  EXPECT_EQ(db.scalar(kTotalMatches), "1");
  EXPECT_NE(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"), "0");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // A write around the table (possible without defensive mode) is reported, not absorbed.
  db.set_defensive(false);
  db.exec("UPDATE ex_state SET value = value + 7 WHERE key = 'bytes'");
  const std::string err = db.error_of("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_CONTAINS(err, "ex_state: the 'bytes' total is ");
  EXPECT_CONTAINS(err, "; expected ");
}

// A file written by an earlier version: its triggers go at the next connect, and the total
// stays exact while they exist (the write path overwrites what they add).
TEST(ShadowTriggers, LegacyTriggersAreDroppedAtConnect) {
  TempFile f;
  {
    Db db(f.path());
    db.set_defensive(false);  // as earlier versions were used (Debian's SQLite)
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    add_legacy_triggers(db);
    db.exec("INSERT INTO ex(request, response) VALUES('a', 'b'), ('c', 'd'), ('e', 'f')");
    db.exec("UPDATE ex SET response = 'longer' WHERE rowid = 1");
    db.exec("DELETE FROM ex WHERE rowid = 2");
    EXPECT_EQ(db.scalar(kTotalMatches), "1");  // triggers and write path together: exact
  }
  if (sqlite3_libversion_number() >= 3044000) {  // what better-sqlite3 12 users saw
    Db strict(f.path());
    strict.set_defensive(true);
    EXPECT_NE(strict.error_of("SELECT count(*) FROM ex").find("cannot create triggers on shadow tables"),
              std::string::npos);
  }
  Db db(f.path());
  db.set_defensive(false);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "2");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "0");
  db.exec("INSERT INTO ex(request, response) VALUES('g', 'h')");
  EXPECT_EQ(db.scalar(kTotalMatches), "1");
  // Now a defensive connection (as better-sqlite3 opens it) reads and writes the file.
  Db strict(f.path());
  sqlite3_db_config(strict.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  EXPECT_EQ(strict.scalar("SELECT count(*) FROM ex"), "3");
  strict.exec("INSERT INTO ex(request, response) VALUES('i', 'j')");
  EXPECT_EQ(strict.scalar(kTotalMatches), "1");
}

// A read-only connection to a legacy file reads it and leaves the triggers alone.
TEST(ShadowTriggers, ReadOnlyLegacyFileStillReads) {
  TempFile f;
  {
    Db db(f.path());
    db.set_defensive(false);
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    add_legacy_triggers(db);
    db.exec("INSERT INTO ex(request, response) VALUES('a', 'b')");
  }
  Db db("file:" + f.path() + "?mode=ro");
  db.set_defensive(false);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "3");
}

}  // namespace
