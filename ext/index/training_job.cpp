#include "ext/index/training_job.h"

#include "common/clock.h"
#include "index/training_policy.h"
#include "ext/index/index_registry.h"
#include "ext/index/index_trainer.h"
#include "ext/index/training_lock.h"
#include "ext/index/training_stage.h"
#include "ext/index/training_write.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {


// Whether the table still needs training (another process may have trained meanwhile).
bool needs_training(Table& t, int64_t n) {
  const int64_t trained_n = t.index_store.centroids(t.options.dim).empty() ? 0 : t.index_store.trained_n();
  return index::training_due(n, trained_n, t.options.ivf_min);
}

void run_on_own_connection(Job& job) {
  const double t0 = steady_clock_now();
  TrainingStatus& st = *job.status;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(job.path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Error("the background training could not open " + job.path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close(db); }
  } closer{db};
  Table t(db, "main", job.table, job.options);
  bool locked = false;
  try {
    st.set("running", "reading", 0.0);
    if (!take_lock(t)) {
      st.taken_elsewhere(steady_clock_now());
      return;
    }
    locked = true;
    exec(db, "BEGIN");
    Snapshot snap = read_snapshot(t);
    exec(db, "COMMIT");
    if (snap.set.size() == 0 || (!job.forced && !needs_training(t, static_cast<int64_t>(snap.set.size())))) {
      begin_immediate(db);
      drop_lock(t);
      exec(db, "COMMIT");
      st.set("idle", "", 0.0);
      return;
    }
    index::IvfTraining tr = train_ivf(snap.set, t.options.dim, t.options.sq8, t.options.seed, st.computing());
    st.set("running", "writing", 0.9);
    int old_slot = 0;
    std::shared_ptr<IndexCache> built = write_staged(t, snap, tr, st, old_slot);
    // In use now; the rows table left behind is emptied before the lock row goes.
    if (built)
      if (std::shared_ptr<IndexCache> shared = job.cache.lock()) offer_index(*shared, *built);
    if (built) {
      st.set("running", "writing", 0.99);
      clear_rows_table(t, old_slot);
    }
    begin_immediate(db);
    try {
      drop_lock(t);
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    locked = false;
    st.background_done(built != nullptr, steady_clock_now() - t0);
  } catch (...) {
    if (locked) release_lock(t);
    throw;
  }
}

}  // namespace

void run_job(Job& job) {
  try {
    run_on_own_connection(job);
  } catch (const SqlError& e) {
    // A file its own connection cannot read (encrypted): the next crossing trains in the
    // writing connection.
    if ((e.rc() & 0xff) == SQLITE_NOTADB) {
      std::lock_guard lock(job.status->mu);
      job.status->own_connection_reads = 0;
    }
    throw;
  }
}

}  // namespace iccache::ext
