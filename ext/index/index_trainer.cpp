#include "ext/index/index_trainer.h"

#include "common/clock.h"
#include "index/training_run.h"
#include "index/training_worker.h"
#include "index/shared_registry.h"
#include "ext/index/training_store.h"
#include "ext/functions.h"
#include "ext/table/registry.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

index::TrainingParams training_params(const TableOptions& o) { return {o.dim, o.sq8, o.seed, o.ivf_min}; }

// A background job (engine/index/training_run.h) on a connection of its own to the file.
void run_job(const std::string& path, const std::string& table, const TableOptions& options,
             const std::weak_ptr<index::IndexCache>& cache, TrainingStatus& st, bool forced) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Error("the background training could not open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close(db); }
  } closer{db};
  try {
    Table t(db, "main", table, options);
    SqlTrainingStore store(t, cache);
    index::TrainingClock clock;
    index::run_background_training(store, st, training_params(options), forced, clock);
  } catch (const SqlError& e) {
    // A file its own connection cannot read (encrypted): the next crossing trains in the
    // writing connection.
    if ((e.rc() & 0xff) == SQLITE_NOTADB) {
      std::lock_guard lock(st.mu);
      st.own_connection_reads = 0;
    }
    throw;
  }
}

}  // namespace

void train_now(Table& t) {
  SqlTrainingStore store(t);
  index::TrainingClock clock;
  index::train_in_place(store, *t.training_status(), training_params(t.options), clock);
}

namespace {

// Whether a connection of its own can read the file (engine/index/training_status.h
// plain_database_header), and when the header says nothing, opens the file (1 readable, 0
// SQLITE_NOTADB, -1 cannot tell now: busy, say; the worker finds out).
int probe_own_connection(const std::string& path) {
  if (const int h = index::plain_database_header(path); h >= 0) return h;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  if (rc == SQLITE_OK) return 1;
  return (rc & 0xff) == SQLITE_NOTADB ? 0 : -1;
}

// Whether t's background training can run on the worker's own connection (a file table of a
// thread-safe SQLite that a connection without the application's key can read); probes the
// file once per process and table.
bool trains_in_background(const std::optional<index::SharedTable>& shared, bool probe_fully) {
  if (!shared || sqlite3_threadsafe() == 0) return false;
  const std::string& path = shared->path;
  return shared->training->own_connection_can_read(
      [&] { return probe_fully ? probe_own_connection(path) : index::plain_database_header(path); });
}

}  // namespace

void prepare_training(Table& t) noexcept {
  try {
    const std::optional<index::SharedTable>& shared = t.shared_state();  // the registry lookup
    if (t.options.training == TrainingPolicy::kManual) return;
    if (!trains_in_background(shared, false)) return;
    index::start_training_worker();
    t.storage.prepare_state_statements();  // the crossing write's 'training_due_since
  } catch (...) {
    // Left to the first statement that needs it, which reports what went wrong.
  }
}

void request_training(Table& t, TrainingRequest why) {
  const std::optional<index::SharedTable>& shared = t.shared_state();
  TrainingStatus* background = trains_in_background(shared, true) ? shared->training.get() : nullptr;
  const index::RequestAction action = index::request_action(why, background, steady_clock_now());
  if (action == index::RequestAction::kTrainNow) train_now(t);
  if (action != index::RequestAction::kQueue) return;
  // Usually a push and a notify: the worker was started when the table opened (prepare_training).
  // The job holds the process's shared index weakly, so that a queued or running job is not
  // counted as a connection sharing it (index_shared_by).
  std::weak_ptr<index::IndexCache> cache = t.cache;
  index::queue_training_job({shared->training, [path = shared->path, table = t.name, options = t.options, cache,
                                                st = shared->training, forced = why == TrainingRequest::kCommand] {
                               run_job(path, table, options, cache, *st, forced);
                             }});
}

bool wait_training(Table& t, double timeout_s) {
  std::shared_ptr<TrainingStatus> st = t.training_status();
  // done: no synchronous 'optimize' running either.
  return index::wait_training_jobs(st.get(), timeout_s, [&] { return !st->busy(); });
}

void training_stats(Table& t, StatRows& out) {
  const std::shared_ptr<TrainingStatus> st = t.training_status();
  index::training_stats(*st,
                        {lock_holder(t), t.storage.count(), t.index_store.trained_n(), t.options.ivf_min,
                         t.storage.state_int("training_due_since", 0), t.options.training},
                        out);
}

// iccache_training_wait(table [, timeout_s]): waits until no training of the table is
// queued or running in this process (default timeout 600 s); returns 1, or 0 on timeout.
// It reads no table, so it holds no SQLite lock while it waits.
void training_wait_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_training_wait";
    Table* t = find_table(db, table_name_arg(argv[0], f), f);
    const double timeout = argc > 1 ? number_arg(argv[1], f, "the timeout", 0, 86400,
                                                 "a number of seconds from 0 to 86400")
                                    : 600;
    sqlite3_result_int(ctx, wait_training(*t, timeout) ? 1 : 0);
  });
}

}  // namespace iccache::ext
