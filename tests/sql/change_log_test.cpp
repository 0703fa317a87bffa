// The change log (ext/store/change_log.h) and incremental catch-up (engine/index/
// index_follower.h): an index follows other connections' writes by reading only the changed
// rows, never applies a rolled-back change, and reloads when the log no longer covers its
// gap.
#include <gtest/gtest.h>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

const char* kCreate = "CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity')";

std::string top(Db& db, const std::string& vec, int k = 3) {
  return db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" + vec +
                   "') AND k = " + std::to_string(k) + ")");
}
std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT value FROM ex_stats WHERE key = '" + key + "'");
}
void insert(Db& db, int id, const std::string& vec) {
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(id) + ", 'q" +
          std::to_string(id) + "', 'a', '" + vec + "')");
}

TEST(ChangeLog, EntriesOfEachWrite) {
  Db db;
  db.exec(kCreate);
  insert(db, 1, "[1,0]");
  insert(db, 2, "[0,1]");
  db.exec("UPDATE ex SET embedding = '[1,1]' WHERE rowid = 2");
  db.exec("UPDATE ex SET rowid = 5 WHERE rowid = 1");
  db.exec("DELETE FROM ex WHERE rowid = 2");
  db.exec("INSERT INTO ex(ex) VALUES('nprobe=3')");
  // kind 0 = example (id), 2 = settings; n = examples after the write.
  EXPECT_EQ(db.scalar("SELECT group_concat(seq || ':' || ifnull(id, '-') || ':' || kind || ':' || n, ' ') FROM ex_changes"),
            "1:1:0:1 2:2:0:2 3:2:0:2 4:1:0:1 5:5:0:2 6:2:0:1 7:-:2:1");
  // Each entry's nonce is what T_state's generation became.
  EXPECT_EQ(db.scalar("SELECT gen FROM ex_changes ORDER BY seq DESC LIMIT 1"),
            db.scalar("SELECT value FROM ex_state WHERE key = 'generation'"));
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT gen) FROM ex_changes"), "7");
}

TEST(ChangeLog, OtherConnectionsWritesAreAppliedNotReloaded) {
  SharedFile s(kCreate, /*wal=*/true);
  Db &a = s.a, &b = s.b;
  for (int i = 1; i <= 20; ++i) insert(a, i, "[1," + std::to_string(i) + "]");
  EXPECT_EQ(top(b, "[1,0]"), "1,2,3");
  const std::string reloads = stat(b, "index_reloads");
  insert(a, 100, "[1,0]");                                       // INSERT
  EXPECT_EQ(top(b, "[1,0]"), "100,1,2");
  a.exec("UPDATE ex SET embedding = '[0,1]' WHERE rowid = 100");  // UPDATE
  EXPECT_EQ(top(b, "[1,0]"), "1,2,3");
  a.exec("DELETE FROM ex WHERE rowid = 1");                      // DELETE
  EXPECT_EQ(top(b, "[1,0]"), "2,3,4");
  a.exec("INSERT OR REPLACE INTO ex(rowid, request, response, embedding) VALUES(20, 'r', 'a', '[1,0]')");
  EXPECT_EQ(top(b, "[1,0]"), "20,2,3");                          // REPLACE
  a.exec("UPDATE ex SET rowid = 200 WHERE rowid = 20");          // new rowid
  EXPECT_EQ(top(b, "[1,0]"), "200,2,3");
  EXPECT_EQ(stat(b, "index_reloads"), reloads);
  EXPECT_EQ(stat(b, "index_changes_applied"), "7");  // REPLACE and the rowid change log 2 each
  EXPECT_EQ(stat(b, "index_vectors"), "20");
  b.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(ChangeLog, RolledBackChangeIsNeverApplied) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  insert(a, 1, "[0,1]");
  EXPECT_EQ(top(a, "[1,0]"), "1");
  // The connection's own index applies its uncommitted insert of 2 ...
  a.exec("BEGIN");
  insert(a, 2, "[1,0]");
  EXPECT_EQ(top(a, "[1,0]"), "2,1");
  a.exec("ROLLBACK");
  // ... and a later write reuses seq 2 with another nonce: the index must not keep 2.
  insert(a, 3, "[1,0.1]");
  EXPECT_EQ(a.scalar("SELECT max(seq) FROM ex_changes"), "2");
  EXPECT_EQ(top(a, "[1,0]"), "3,1");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(ChangeLog, RollbackToSavepointAndFailedStatement) {
  Db a;
  a.exec(kCreate);
  insert(a, 1, "[0,1]");
  a.exec("BEGIN");
  insert(a, 2, "[1,0]");
  a.exec("SAVEPOINT s");
  insert(a, 3, "[1,0.05]");
  EXPECT_EQ(top(a, "[1,0]"), "2,3,1");
  a.exec("ROLLBACK TO s");
  EXPECT_EQ(top(a, "[1,0]"), "2,1");
  insert(a, 4, "[1,0.2]");
  EXPECT_EQ(top(a, "[1,0]"), "2,4,1");
  // A statement that fails after writing two rows leaves none of them.
  std::string err = a.error_of(
      "INSERT INTO ex(rowid, request, response, embedding) VALUES"
      "(5, 'a', 'b', '[1,0.01]'), (6, 'a', 'b', '[1,0.02]'), (7, 'a', 'b', '[1]')");
  EXPECT_NE(err, "");
  EXPECT_EQ(top(a, "[1,0]"), "2,4,1");
  a.exec("COMMIT");
  EXPECT_EQ(top(a, "[1,0]"), "2,4,1");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(ChangeLog, PrunedByCountAndAnIndexBehindItReloads) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity',"
                 " change_log_keep=100)");
  Db &a = s.a, &b = s.b;
  a.exec("PRAGMA synchronous=OFF");
  insert(a, 1, "[1,0]");
  EXPECT_EQ(top(b, "[1,0]"), "1");
  EXPECT_EQ(stat(b, "index_reloads"), "1");
  for (int i = 2; i <= 600; ++i) insert(a, i, "[0,1]");
  // Pruned every 256 entries down to the newest 100: at most 100 + 255 kept.
  EXPECT_LE(std::stoi(a.scalar("SELECT count(*) FROM ex_changes")), 355);
  EXPECT_EQ(a.scalar("SELECT max(seq) FROM ex_changes"), "600");
  EXPECT_EQ(top(b, "[1,0]", 1), "1");
  EXPECT_EQ(stat(b, "index_reloads"), "2");  // its entry was pruned: reloaded
  EXPECT_EQ(stat(b, "index_vectors"), "600");
}

TEST(ChangeLog, PrunedByAge) {
  Db a;
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', change_log_age=60)");
  for (int i = 1; i <= 255; ++i) insert(a, i, "[0,1]");
  a.set_defensive(false);  // tampering with a shadow table, as the amalgamation build forbids
  a.exec("UPDATE ex_changes SET time = time - 3600 WHERE seq <= 200");
  insert(a, 256, "[1,0]");  // the 256th entry prunes
  EXPECT_EQ(a.scalar("SELECT min(seq) || '-' || max(seq) FROM ex_changes"), "201-256");
}

TEST(ChangeLog, TrainingStartsANewEpoch) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity', ivf_min=1000)");
  Db &a = s.a, &b = s.b;
  a.exec("PRAGMA synchronous=OFF");
  for (int i = 1; i <= 50; ++i) insert(a, i, "[1," + std::to_string(i) + "]");
  EXPECT_EQ(top(b, "[1,0]"), "1,2,3");
  a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(a.scalar("SELECT kind FROM ex_changes ORDER BY seq DESC LIMIT 1"), "1");
  EXPECT_EQ(top(b, "[1,0]"), "1,2,3");
  EXPECT_EQ(stat(b, "index_reloads"), "2");
  EXPECT_EQ(stat(b, "index_lists"), "7");
  insert(a, 51, "[1,0]");  // after the epoch: applied again
  EXPECT_EQ(top(b, "[1,0]"), "51,1,2");
  EXPECT_EQ(stat(b, "index_reloads"), "2");
}

TEST(ChangeLog, NprobeCommandReachesOtherConnections) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity', ivf_min=1000)");
  Db &a = s.a, &b = s.b;
  a.exec("PRAGMA synchronous=OFF");
  for (int i = 1; i <= 50; ++i) insert(a, i, "[1," + std::to_string(i) + "]");
  a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_NE(top(b, "[1,0]"), "");
  a.exec("INSERT INTO ex(ex) VALUES('nprobe=7')");
  // With every list probed, b's answer equals the exact one.
  EXPECT_EQ(top(b, "[0,1]", 5), top(a, "[0,1]", 5));
  EXPECT_EQ(top(b, "[0,1]", 5), b.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[0,1]') AND k = 5 AND nprobe = 7)"));
  EXPECT_EQ(stat(b, "index_reloads"), "1");  // the settings entry did not reload
}

TEST(ChangeLog, FileWithoutLogGetsOneAtItsFirstWrite) {
  SharedFile s(kCreate);
  Db &a = s.a, &b = s.b;
  insert(a, 1, "[1,0]");
  a.set_defensive(false);
  a.exec("DROP TABLE ex_changes");  // as a file made before the change log
  Db c(s.file.path());
  EXPECT_EQ(top(c, "[1,0]"), "1");
  insert(c, 2, "[1,0.1]");
  EXPECT_EQ(c.scalar("SELECT count(*) FROM ex_changes"), "1");
  EXPECT_EQ(top(b, "[1,0]"), "1,2");
  insert(a, 3, "[1,0.01]");
  EXPECT_EQ(top(b, "[1,0]"), "1,3,2");
  EXPECT_EQ(top(c, "[1,0]"), "1,3,2");
  c.exec("ALTER TABLE ex RENAME TO ex2");
  EXPECT_EQ(c.scalar("SELECT count(*) FROM ex2_changes"), "2");
}

TEST(ChangeLog, UnloggedWriteReloads) {
  SharedFile s(kCreate);
  Db &a = s.a, &b = s.b;
  insert(a, 1, "[1,0]");
  insert(a, 2, "[0,1]");
  EXPECT_EQ(top(b, "[1,0]", 1), "1");
  // A writer that does not log (an older version): new nonce, no entry.
  a.set_defensive(false);
  a.exec("UPDATE ex_index SET tenant = 'x' WHERE id = 1; UPDATE ex_data SET tenant = 'x' WHERE id = 1;"
         " UPDATE ex_state SET value = 12345 WHERE key = 'generation'");
  EXPECT_EQ(b.scalar("SELECT count(*) FROM ex WHERE ex MATCH iccache_vector('[1,0]') AND k = 2 AND tenant = 'x'"), "1");
  EXPECT_EQ(stat(b, "index_reloads"), "2");
}

TEST(ChangeLog, BadOptionsAreRefused) {
  Db db;
  EXPECT_NE(db.error_of("CREATE VIRTUAL TABLE ex USING iccache(change_log_keep=0)").find("change_log_keep"),
            std::string::npos);
  EXPECT_NE(db.error_of("CREATE VIRTUAL TABLE ex USING iccache(change_log_age=-1)").find("change_log_age"),
            std::string::npos);
}

}  // namespace
}  // namespace iccache_test
