#include "ext/index/training_job.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "index/training_policy.h"
#include "ext/index/index_registry.h"
#include "ext/index/index_trainer.h"
#include "ext/index/training_lock.h"
#include "ext/index/training_write.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {


// Whether the table still needs training (another process may have trained meanwhile).
bool needs_training(Table& t, int64_t n) {
  const int64_t trained_n = t.index_store.centroids(t.options.dim).empty() ? 0 : t.index_store.trained_n();
  return index::training_due(n, trained_n, t.options.ivf_min);
}

// Test hook: while the file named by ICCACHE_TRAINING_HOLD exists, a background training
// waits after computing and before writing (tests write meanwhile, or kill the process).
void hold_for_tests() {
  const char* path = std::getenv("ICCACHE_TRAINING_HOLD");
  if (!path || !*path) return;
  while (::access(path, F_OK) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace

void run_job(Job& job) {
  const double t0 = steady_now();
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
      std::lock_guard lock(st.mu);
      st.state = "idle";
      st.phase.clear();
      st.retry_at = steady_now() + kRetryPauseSeconds;
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
    index::IvfTraining tr = train_ivf(snap.set, t.options.dim, t.options.sq8, t.options.seed,
                               [&](std::string_view phase, double share) { st.set("running", phase, 0.05 + 0.85 * share); });
    hold_for_tests();
    st.set("running", "writing", 0.9);
    begin_immediate(db);
    std::shared_ptr<IndexCache> built;
    try {
      if (t.storage.state_int("epoch", 0) == snap.epoch) {
        built = write_training(t, snap.set, tr, changed_since(t, snap), &st);
      }
      drop_lock(t);
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    locked = false;
    if (built)
      if (std::shared_ptr<IndexCache> shared = job.cache.lock()) offer_index(*shared, *built);
    std::lock_guard lock(st.mu);
    st.state = "idle";
    st.phase.clear();
    st.progress = 0;
    st.error.clear();
    if (built) {
      ++st.runs;
      ++st.background_runs;
      st.last_seconds = steady_now() - t0;
    }
  } catch (...) {
    if (locked) release_lock(t);
    throw;
  }
}

}  // namespace iccache::ext
