// Automatic training off the request path (ext/index/index_trainer.h): the INSERT that crosses a
// threshold only queues a background training; the trainer works on a snapshot, applies
// the changes made meanwhile, hands its index to the process's shared index, holds a lock
// row so that one process trains at a time, and a process that dies while training leaves
// the file as it was. ICCACHE_TRAINING_HOLD (a file that, while it exists, holds a
// background training between computing and writing) makes each step deterministic.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

const char* kCreate =
    "CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none', selection='similarity', ivf_min=64, seed=3)";

std::string vec(int i) {
  // Four clusters; each vector distinct.
  const int c = i % 4;
  std::string v = "[";
  for (int d = 0; d < 4; ++d) v += (d ? "," : "") + std::to_string((d == c ? 1.0 : 0.05) + 0.001 * i * (d + 1));
  return v + "]";
}
void insert(Db& db, int id) {
  db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(id) + ", 'q" +
          std::to_string(id) + "', 'a', '" + vec(id) + "')");
}
std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT ifnull(value, 'NULL') FROM ex_stats WHERE key = '" + key + "'");
}
std::string nearest(Db& db, int id, int nprobe = 1) {
  return db.scalar("SELECT rowid FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = " +
                   std::to_string(id) + ") AND k = 1 AND nprobe = " + std::to_string(nprobe));
}

// While it exists, background trainings of this process wait before writing.
class Hold {
 public:
  Hold() : path_(file_.path() + ".hold") {
    std::ofstream(path_) << "hold\n";
    setenv("ICCACHE_TRAINING_HOLD", path_.c_str(), 1);
  }
  void release() { std::remove(path_.c_str()); }
  ~Hold() {
    release();
    unsetenv("ICCACHE_TRAINING_HOLD");
  }

 private:
  TempFile file_;
  std::string path_;
};

TEST(BackgroundTraining, TheCrossingInsertOnlyQueuesAndChangesMadeMeanwhileAreApplied) {
  TempFile f;
  Db a(f.path());
  a.exec("PRAGMA journal_mode=WAL");
  a.exec(kCreate);
  Hold hold;
  for (int i = 1; i <= 64; ++i) insert(a, i);  // the 64th crosses ivf_min
  // The INSERT returned without training: nothing is written while the trainer holds.
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  const std::string state = stat(a, "training_state");
  EXPECT_TRUE(state == "queued" || state == "running") << state;
  EXPECT_EQ(nearest(a, 10), "10");  // served meanwhile from the untrained (exact) index
  EXPECT_EQ(stat(a, "index_reloads"), "1");
  // Written while the training runs: inserts, a delete, an update of a vector.
  for (int i = 65; i <= 70; ++i) insert(a, i);
  a.exec("DELETE FROM ex WHERE rowid = 3");
  a.exec("UPDATE ex SET embedding = '" + vec(66) + "' WHERE rowid = 5");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  hold.release();
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_state"), "idle") << stat(a, "training_error");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(stat(a, "training_lock_pid"), "0");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");  // round(sqrt(64..70))
  EXPECT_EQ(a.scalar("SELECT value FROM ex_state WHERE key = 'ivf_trained_n'"), "69");
  // Written into ex_index_alt, then switched to it; ex_index, no longer in use, emptied.
  EXPECT_EQ(index_rows(a), "ex_index_alt");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt"), "69");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt WHERE id = 3"), "0");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index"), "0");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // The trained index was handed to this process's shared index: in use without a reload.
  EXPECT_EQ(stat(a, "index_lists"), "8");
  EXPECT_EQ(stat(a, "index_vectors"), "69");
  EXPECT_EQ(stat(a, "index_reloads"), "1");
  // The examples written meanwhile are in their nearest new list (found with nprobe = 1).
  for (int id : {65, 67, 68, 69, 70}) EXPECT_EQ(nearest(a, id), std::to_string(id)) << id;
  EXPECT_EQ(nearest(a, 66), "5");  // 5 now has 66's vector: the tie goes to the smaller rowid
  EXPECT_EQ(a.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('" +
                     vec(66) + "') AND k = 2 AND nprobe = 8 ORDER BY rowid)"),
            "5,66");
  // Another connection of the process: the same index, nothing to load.
  Db b(f.path());
  EXPECT_EQ(nearest(b, 70), "70");
  EXPECT_EQ(stat(b, "index_reloads"), "1");
}

// The rows are written into the table not in use while writers go on with the one in
// use, then switched to in one short transaction (engine/index/staged_write.h).
TEST(BackgroundTraining, RowsAreWrittenAsideThenSwitchedTo) {
  TempFile f;
  Db a(f.path());
  a.exec("PRAGMA journal_mode=WAL");
  // A log of 10 entries: the training's lock keeps what it needs (ChangeLog::prune).
  a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none', selection='similarity', ivf_min=64, seed=3,"
         " change_log_keep=10)");
  Hold hold;
  for (int i = 1; i <= 64; ++i) insert(a, i);  // the 64th queues a training
  // It holds halfway through writing its rows: 32 of 64 in ex_index_alt, not in use.
  for (int i = 0; i < 1000 && a.scalar("SELECT count(*) FROM ex_index_alt") != "32"; ++i) usleep(10000);
  ASSERT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt"), "32");
  EXPECT_EQ(index_rows(a), "ex_index");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index"), "64");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");  // the half-written table is not looked at
  const std::string pinned = a.scalar("SELECT value FROM ex_state WHERE key = 'training_log_seq'");
  // A delete leaves no copy in either table; 300 inserts would prune the log past the
  // snapshot but for the lock's pin.
  a.exec("DELETE FROM ex WHERE rowid = 1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt WHERE id = 1"), "0");
  for (int i = 65; i <= 364; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT min(seq) <= " + pinned + " FROM ex_changes"), "1");
  hold.release();
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_error"), "NULL");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(index_rows(a), "ex_index_alt");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt"), "363");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index"), "0");  // emptied after the switch
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_state WHERE key LIKE 'training\\_%' ESCAPE '\\'"), "0");
  EXPECT_EQ(a.scalar("SELECT value FROM ex_state WHERE key = 'ivf_trained_n'"), "363");
  EXPECT_EQ(a.scalar("SELECT typeof(value) FROM ex_state WHERE key = 'train_switch_s'"), "real");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(stat(a, "index_vectors"), "363");
  for (int id : {2, 100, 364}) EXPECT_EQ(nearest(a, id, 8), std::to_string(id)) << id;
  // Another process (a fresh connection loads from the rows in use) sees the same.
  Db b(f.path());
  b.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // 'optimize' writes ex_index again and empties ex_index_alt.
  a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(index_rows(a), "ex_index");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index") + " " + a.scalar("SELECT count(*) FROM ex_index_alt"), "363 0");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  // A second background training switches back the other way.
  a.exec("INSERT INTO ex(ex) VALUES('optimize-background')");
  hold.release();
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(index_rows(a), "ex_index_alt");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index") + " " + a.scalar("SELECT count(*) FROM ex_index_alt"), "0 363");
  b.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(nearest(b, 364, 8), "364");
}

// A file made before ex_index_alt existed gets it at its first background training.
TEST(BackgroundTraining, AFileWithoutTheSecondRowsTableGetsIt) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  a.set_defensive(false);
  a.exec("DROP TABLE ex_index_alt");
  for (int i = 1; i <= 63; ++i) insert(a, i);
  a.exec("DELETE FROM ex WHERE rowid = 63");  // a delete finds no second table to delete from
  insert(a, 63);
  insert(a, 64);  // queues the training
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_error"), "NULL");
  EXPECT_EQ(index_rows(a), "ex_index_alt");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt") + " " + a.scalar("SELECT count(*) FROM ex_index"), "64 0");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(nearest(a, 64, 8), "64");
  a.exec("ALTER TABLE ex RENAME TO ey");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ey_index_alt"), "64");
}

TEST(BackgroundTraining, IndexSharedByCountsConnectionsOnly) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  // Asked before anything made this connection look the shared index up.
  EXPECT_EQ(stat(a, "index_shared_by"), "1");
  Db b(f.path());
  EXPECT_EQ(stat(b, "index_shared_by"), "2");
  a.exec("BEGIN");
  insert(a, 1);
  a.exec("ROLLBACK");
  EXPECT_EQ(stat(a, "index_shared_by"), "2");
  Hold hold;
  for (int i = 1; i <= 64; ++i) insert(a, i);  // queues a training, held before writing
  EXPECT_EQ(stat(a, "index_shared_by"), "2");  // the queued or running job is no connection
  hold.release();
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(stat(b, "index_shared_by"), "2");
}

TEST(BackgroundTraining, ALockRowOfALiveTrainingElsewhereDefersIt) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  // Another process (this one's parent, alive) holds the lock row.
  a.set_defensive(false);
  a.exec("INSERT INTO ex_state(key, value) VALUES('training_pid', " + std::to_string(getppid()) +
         "), ('training_since', unixepoch())");
  for (int i = 1; i <= 64; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");  // not trained here
  EXPECT_EQ(stat(a, "training_lock_pid"), std::to_string(getppid()));
  EXPECT_EQ(stat(a, "training_background_runs"), "0");
  // The explicit command trains now, whatever the lock row says.
  a.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(stat(a, "training_runs"), "1");
}

TEST(BackgroundTraining, ALockRowOfADeadProcessIsTakenOver) {
  TempFile f;
  Db a(f.path());
  a.exec(kCreate);
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // its pid now names no process
  a.set_defensive(false);
  a.exec("INSERT INTO ex_state(key, value) VALUES('training_pid', " + std::to_string(child) +
         "), ('training_since', unixepoch())");
  EXPECT_EQ(stat(a, "training_lock_pid"), "0");  // not a live holder
  for (int i = 1; i <= 64; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_state WHERE key LIKE 'training_%'"), "0");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
}

TEST(BackgroundTraining, AProcessKilledWhileTrainingLosesNothing) {
  TempFile f;
  {
    Db a(f.path());
    a.exec("PRAGMA journal_mode=WAL");
    a.exec(kCreate);
    for (int i = 1; i <= 63; ++i) insert(a, i);
  }
  // A second process (the sqlite3 shell) inserts the 64th example, which queues a training
  // that holds before writing; the process then kills itself (SIGKILL) mid-training.
  Hold hold;
  std::string out;
  int rc = run_command("sqlite3 " + f.path() + " '.load " ICCACHE_EXT_PATH "' "
                       "\"INSERT INTO ex(rowid, request, response, embedding) VALUES(64, 'q64', 'a', '" + vec(64) + "')\" "
                       "'.system kill -9 $PPID'",
                       &out);
  EXPECT_NE(rc, 0) << out;  // killed
  hold.release();
  Db a(f.path());
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex"), "64");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "0");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(nearest(a, 64), "64");
  // The next write that finds the table over its threshold trains it (a lock row the dead
  // process may have left is taken over).
  insert(a, 65);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_index_alt"), "65");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(BackgroundTraining, TheParkedWorkerTrainsAgainAtTheNextThreshold) {
  TempFile f;
  Db a(f.path());
  a.exec("PRAGMA journal_mode=WAL");
  a.exec(kCreate);
  for (int i = 1; i <= 64; ++i) insert(a, i);  // crosses ivf_min
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");
  // The worker parked after its job; 4x the trained N (64) wakes it again.
  for (int i = 65; i <= 255; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");  // 255 < 4 x 64: not due yet
  insert(a, 256);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_state"), "idle") << stat(a, "training_error");
  EXPECT_EQ(stat(a, "training_background_runs"), "2");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "16");  // round(sqrt(256))
  EXPECT_EQ(a.scalar("SELECT value FROM ex_state WHERE key = 'ivf_trained_n'"), "256");
  a.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(nearest(a, 200), "200");
}

TEST(BackgroundTraining, AForkedChildStartsItsOwnWorker) {
  TempFile f, g;
  Db a(f.path());
  a.exec(kCreate);  // this process has a worker (started when the table opened)
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only the forking thread exists here: the parent's worker is not this process's.
    int code = 1;
    {
      Db b(g.path());
      b.exec(kCreate);
      for (int i = 1; i <= 64; ++i) insert(b, i);
      if (b.scalar("SELECT iccache_training_wait('ex', 60)") == "1" && stat(b, "training_background_runs") == "1" &&
          b.scalar("SELECT count(*) FROM ex_centroids") == "8")
        code = 0;
    }
    _exit(code);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent's worker still serves the parent.
  for (int i = 1; i <= 64; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex')"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "1");
}

TEST(BackgroundTraining, AProcessThatUnloadsTheExtensionWithTheWorkerParkedExitsCleanly) {
  // The sqlite3 shell: a fresh process loads the extension, trains one file in the
  // background, closes that connection (SQLite dlclose()s the extension with it), loads it
  // again on another file, trains that one with the worker parked since, and exits
  // normally (exit handlers and static destructors run with the worker thread parked).
  TempFile f, g;
  for (const std::string& p : {f.path(), g.path()}) {
    Db d(p);
    d.exec("PRAGMA journal_mode=WAL");
    d.exec(kCreate);
    for (int i = 1; i <= 63; ++i) insert(d, i);
  }
  auto crossing = [](const std::string& path) {
    return "'.open " + path + "' '.load " ICCACHE_EXT_PATH "' "
           "\"INSERT INTO ex(rowid, request, response, embedding) VALUES(64, 'q64', 'a', '" + vec(64) + "')\" "
           "\"SELECT iccache_training_wait('ex', 60)\" "
           "\"SELECT value FROM ex_stats WHERE key = 'training_background_runs'\" ";
  };
  std::string out;
  const int rc = run_command("timeout 120 sqlite3 :memory: " + crossing(f.path()) + crossing(g.path()) + "2>&1", &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "1\n1\n1\n1\n");
  for (const std::string& p : {f.path(), g.path()}) {
    Db d(p);
    EXPECT_EQ(d.scalar("SELECT count(*) FROM ex_centroids"), "8") << p;
    d.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  }
}

TEST(BackgroundTraining, InMemoryTablesTrainInTheInsertAndWaitRefusesBadTimeouts) {
  Db a;
  a.exec(kCreate);
  for (int i = 1; i <= 64; ++i) insert(a, i);
  EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_centroids"), "8");  // no other connection could
  EXPECT_EQ(stat(a, "training_runs"), "1");
  EXPECT_EQ(stat(a, "training_background_runs"), "0");
  EXPECT_EQ(a.scalar("SELECT iccache_training_wait('ex', 0)"), "1");
  EXPECT_EQ(a.error_of("SELECT iccache_training_wait('ex', -1)"),
            "iccache_training_wait: the timeout must be a number of seconds from 0 to 86400; received -1");
  EXPECT_EQ(a.error_of("SELECT iccache_training_wait('ex', 'soon')"),
            "iccache_training_wait: the timeout must be a number of seconds from 0 to 86400; received 'soon'");
  EXPECT_NE(a.error_of("SELECT iccache_training_wait('nope')"), "");
}

}  // namespace
}  // namespace iccache_test
