#include "ext/index/index_trainer.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <thread>
#include <unordered_set>

#include "index/ivf_training.h"
#include "index/training_policy.h"
#include "ext/index/index_registry.h"
#include "ext/functions.h"
#include "ext/table/registry.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

double steady_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A lock row older than this is taken over even when its process seems alive (a process
// on another host, or a reused pid): training 1M x 384 takes about a minute.
constexpr double kLockLeaseSeconds = 3600;
// After a failure, or finding another process training, no new job for this long.
constexpr double kRetryPauseSeconds = 30;

// The vectors of every example in id order, their tenants, and where the log stood.
struct Snapshot {
  index::TrainingSet set;
  std::optional<Change> at;  // the newest change-log entry in the snapshot
  int64_t epoch = 0;
};

Snapshot read_snapshot(Table& t) {
  Snapshot s;
  const int dim = t.options.dim;
  t.index_store.for_each_example_vector(dim, [&](int64_t id, std::string_view tenant, const float* v) {
    s.set.ids.push_back(id);
    s.set.tenants.emplace_back(tenant);
    s.set.data.insert(s.set.data.end(), v, v + dim);
  });
  s.at = t.log.last();
  s.epoch = t.storage.state_int("epoch", 0);
  return s;
}

// Writes a computed training (inside the caller's transaction) and returns the index that
// reflects it, at the new epoch's log entry. `changed`: examples written after the
// snapshot; their rows are re-read and assigned with the new centroids (their lists,
// codes and index entries replace the snapshot's).
std::shared_ptr<IndexCache> write_training(Table& t, const index::TrainingSet& set, index::IvfTraining& tr,
                                           const std::unordered_set<int64_t>& changed, TrainingStatus* status) {
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  // Emptying T_index first turns the rewrite into appends in id order (faster than replacing).
  std::vector<uint8_t> code(sq8 ? dim : 0);
  int64_t n = 0;
  const size_t total = set.size() + changed.size();
  auto progress = [&](size_t done) {
    if (status && done % 4096 == 0)
      status->set("running", "writing", 0.9 + 0.1 * static_cast<double>(done) / std::max<size_t>(1, total));
  };
  t.index_store.clear_rows();
  for (size_t i = 0; i < set.size(); ++i) {
    progress(i);
    if (!changed.empty() && changed.count(set.ids[i])) continue;
    const float* v = &set.data[i * dim];
    if (sq8) tr.index.encode(v, code.data());
    t.index_store.put(set.ids[i], tr.lists[i], set.tenants[i], sq8 ? code.data() : nullptr, code.size());
    ++n;
  }
  if (!changed.empty()) {
    // The rows as they are now: an example written after the snapshot goes to its nearest
    // new list; a deleted one leaves the index.
    Stmt row(t.db, "SELECT v.vector, d.tenant FROM " + t.storage.shadow("vectors") + " AS v JOIN " +
                       t.storage.shadow("data") + " AS d ON d.id = v.id WHERE v.id = ?");
    std::vector<float> v(dim);
    size_t done = set.size();
    for (int64_t id : changed) {
      progress(done++);
      tr.index.remove(id);
      row.reset().bind(1, id);
      if (!row.step()) continue;  // deleted meanwhile
      const std::string_view blob = row.blob(0);
      if (blob.size() != sizeof(float) * static_cast<size_t>(dim))
        throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": the stored vector of example " + std::to_string(id) +
                                                " has " + std::to_string(blob.size()) + " bytes; expected " +
                                                std::to_string(sizeof(float) * dim));
      std::memcpy(v.data(), blob.data(), blob.size());
      const std::string tenant(row.text(1));
      row.reset();
      const int list = tr.index.assign(v.data());
      if (sq8) tr.index.encode(v.data(), code.data());
      t.index_store.put(id, list, tenant, sq8 ? code.data() : nullptr, code.size());
      tr.index.add(id, list, tenant, v.data(), sq8 ? code.data() : nullptr);
      ++n;
    }
  }
  t.index_store.save_training(tr.centroids, dim, tr.ranges, n);
  t.index_store.save_tuning(tr.tuning.nprobe, tr.tuning.recall);
  t.storage.set_state_real("train_kmeans_s", tr.kmeans_s);
  t.storage.set_state_real("train_assign_s", tr.assign_s);
  t.storage.set_state_real("train_write_s", std::chrono::duration<double>(Clock::now() - t0).count() + tr.build_s);
  t.storage.set_state_real("train_tune_s", tr.tune_s);
  // A new epoch: every other index reloads (training rewrote every list).
  const int64_t epoch = static_cast<int64_t>(t.nonce_rng() >> 1);
  t.storage.set_state_int("epoch", epoch);
  Change c = t.record_change(ChangeKind::kEpoch, 0, 0);
  auto built = std::make_shared<IndexCache>(dim, sq8);
  built->index = std::move(tr.index);
  built->loaded = true;
  built->seq = c.seq;
  built->gen = c.gen;
  built->epoch = epoch;
  built->nprobe = t.effective_nprobe();
  // Later writes of this connection assign with the new training.
  t.assigner = index::IvfIndex(dim, sq8);
  t.assigner.set_training(tr.centroids, tr.ranges);
  t.assigner_epoch = epoch;
  t.assigner_loaded = true;
  return built;
}

// ---- the lock row -------------------------------------------------------------------

bool process_alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

// Whether the lock row is held by a live training (another process, or a job of this one).
int64_t lock_holder(Table& t) {
  const int64_t pid = t.storage.state_int("training_pid", 0);
  if (pid == 0) return 0;
  Stmt s(t.db, "SELECT value FROM " + t.storage.shadow("state") + " WHERE key = 'training_since'");
  const double since = s.step() ? s.real(0) : 0;
  if (!process_alive(pid) || wall_now() - since > kLockLeaseSeconds) return 0;
  return pid;
}

void exec(sqlite3* db, const char* sql) { Stmt(db, sql).run(); }

// BEGIN IMMEDIATE with retries: serving writes hold the lock for milliseconds, a busy
// timeout covers them; a long writer elsewhere makes the job fail (and retry later).
void begin_immediate(sqlite3* db) {
  for (int attempt = 0;; ++attempt) {
    try {
      exec(db, "BEGIN IMMEDIATE");
      return;
    } catch (const SqlError& e) {
      if ((e.rc() & 0xff) != SQLITE_BUSY || attempt >= 5) throw;
    }
  }
}

struct Job {
  std::string path, table;
  TableOptions options;
  std::shared_ptr<IndexCache> cache;
  std::shared_ptr<TrainingStatus> status;
};

// Takes the lock row; false when a live training holds it.
bool take_lock(Table& t) {
  begin_immediate(t.db);
  try {
    const int64_t holder = lock_holder(t);
    if (holder != 0 && holder != ::getpid()) {
      exec(t.db, "COMMIT");
      return false;
    }
    t.storage.set_state_int("training_pid", ::getpid());
    t.storage.set_state_real("training_since", wall_now());
    exec(t.db, "COMMIT");
    return true;
  } catch (...) {
    sqlite3_exec(t.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void drop_lock(Table& t) {
  Stmt(t.db, "DELETE FROM " + t.storage.shadow("state") + " WHERE key IN ('training_pid', 'training_since')").run();
}

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
    if (snap.set.size() == 0 || !needs_training(t, static_cast<int64_t>(snap.set.size()))) {
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
        // The examples written since the snapshot: from the log when it still reaches it,
        // else every example (re-read and assigned; no new k-means).
        std::unordered_set<int64_t> changed;
        std::vector<Change> after;
        const bool from_log = snap.at && t.log.gen_at(snap.at->seq) == snap.at->gen &&
                              t.log.after(snap.at->seq, 1 << 20, after);
        if (from_log) {
          for (const Change& c : after)
            if (c.kind == ChangeKind::kExample) changed.insert(c.id);
        } else {
          for (int64_t id : snap.set.ids) changed.insert(id);
          t.index_store.for_each_example_vector(t.options.dim, [&](int64_t id, std::string_view, const float*) {
            changed.insert(id);
          });
        }
        built = write_training(t, snap.set, tr, changed, &st);
      }
      drop_lock(t);
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    locked = false;
    if (built) offer_index(*job.cache, *built);
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
    if (locked) {
      try {
        begin_immediate(db);
        drop_lock(t);
        exec(db, "COMMIT");
      } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);  // taken over after the lease
      }
    }
    throw;
  }
}

// The worker: one thread per process while jobs are queued; it ends when the queue is
// empty (a process with nothing to train has no extra thread).
std::mutex queue_mu;
std::condition_variable queue_cv;
std::deque<Job>& queue() {
  static auto* q = new std::deque<Job>();  // never destroyed (see index_registry.cpp)
  return *q;
}
bool worker_running = false;
const TrainingStatus* running_job = nullptr;  // the status of the job the worker runs

void notify_waiters() {
  std::lock_guard lock(queue_mu);
  queue_cv.notify_all();
}

void worker() {
  for (;;) {
    Job job;
    {
      std::lock_guard lock(queue_mu);
      if (queue().empty()) {
        worker_running = false;
        queue_cv.notify_all();
        return;
      }
      job = std::move(queue().front());
      queue().pop_front();
      running_job = job.status.get();
    }
    try {
      run_job(job);
    } catch (const std::exception& e) {
      std::lock_guard lock(job.status->mu);
      // A file its own connection cannot read (encrypted): the next crossing trains in the
      // writing connection.
      if (const auto* sql = dynamic_cast<const SqlError*>(&e); sql && (sql->rc() & 0xff) == SQLITE_NOTADB)
        job.status->own_connection_reads = 0;
      job.status->state = "failed";
      job.status->phase.clear();
      job.status->error = e.what();
      job.status->retry_at = steady_now() + kRetryPauseSeconds;
    }
    job = Job{};  // lets go of the index and the status before waking waiters
    std::lock_guard lock(queue_mu);
    running_job = nullptr;
    queue_cv.notify_all();
  }
}

constexpr double kExitWaitSeconds = 600;

void wait_for_worker_at_exit() {
  std::unique_lock lock(queue_mu);
  queue_cv.wait_for(lock, std::chrono::duration<double>(kExitWaitSeconds), [] { return !worker_running; });
}

}  // namespace

void TrainingStatus::set(std::string_view state_, std::string_view phase_, double progress_) {
  std::lock_guard lock(mu);
  state = state_;
  phase = phase_;
  progress = progress_;
}

void train_now(Table& t) {
  // Reads every example's vector (and its tenant from the example row), not the loaded
  // index nor T_index, so that training also repairs lists, list rows or centroids that
  // are damaged or missing.
  TrainingStatus& st = *t.training_status();
  const double t0 = steady_now();
  st.set("running", "reading", 0.0);
  try {
    Snapshot snap = read_snapshot(t);
    if (snap.set.size() == 0) {
      st.set("idle", "", 0.0);
      return;
    }
    index::IvfTraining tr = train_ivf(snap.set, t.options.dim, t.options.sq8, t.options.seed,
                               [&](std::string_view phase, double share) { st.set("running", phase, 0.05 + 0.85 * share); });
    st.set("running", "writing", 0.9);
    t.adopt_trained(write_training(t, snap.set, tr, {}, &st));
  } catch (...) {
    st.set("idle", "", 0.0);
    notify_waiters();
    throw;
  }
  {
    std::lock_guard lock(st.mu);
    st.state = "idle";
    st.phase.clear();
    st.progress = 0;
    ++st.runs;
    st.last_seconds = steady_now() - t0;
  }
  notify_waiters();
}

// Whether a connection of its own can read the file (1), cannot (0: SQLITE_NOTADB, an
// encrypted file: SQLCipher's key is the application's, and SQLite has no way to hand it
// on), or it cannot tell now (-1: busy, say; the worker finds out).
int probe_own_connection(const std::string& path) {
  // A plain database file starts with "SQLite format 3\0"; SQLCipher writes a random salt
  // there instead. Those 16 bytes never change, so reading them needs no lock (the caller may
  // hold a write transaction that would make a reading connection wait).
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char head[16];
    const size_t got = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (got == sizeof head) return std::memcmp(head, "SQLite format 3", 16) == 0 ? 1 : 0;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  if (rc == SQLITE_OK) return 1;
  return (rc & 0xff) == SQLITE_NOTADB ? 0 : -1;
}

void request_training(Table& t) {
  std::optional<SharedTable> shared = t.shared_state();
  // In-memory or temp: no other connection can open it. A host SQLite built without
  // thread support (SQLITE_THREADSAFE=0) must not be used from a second thread.
  if (!shared || sqlite3_threadsafe() == 0) return train_now(t);
  TrainingStatus& st = *shared->training;
  bool readable = true;
  {
    std::lock_guard lock(st.mu);
    if (st.own_connection_reads < 0) st.own_connection_reads = probe_own_connection(shared->path);
    readable = st.own_connection_reads != 0;
  }
  if (!readable) return train_now(t);  // encrypted: only the application's connections can
  {
    std::lock_guard lock(st.mu);
    if (st.state == "queued" || st.state == "running" || steady_now() < st.retry_at) return;
    st.state = "queued";
    st.phase.clear();
    st.progress = 0;
  }
  Job job{shared->path, t.name, t.options, t.cache, shared->training};
  // A process that exits while its worker trains waits for it first (at most
  // kExitWaitSeconds): the worker's k-means must not run on while exit() tears down the
  // runtimes it uses, and the training it started is not lost.
  static const bool at_exit = std::atexit(wait_for_worker_at_exit) == 0;
  (void)at_exit;
  std::lock_guard lock(queue_mu);
  queue().push_back(std::move(job));
  if (!worker_running) {
    worker_running = true;
    std::thread(worker).detach();
  }
}

bool wait_training(Table& t, double timeout_s) {
  TrainingStatus& st = *t.training_status();
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  std::unique_lock lock(queue_mu);
  return queue_cv.wait_until(lock, until, [&] {
    if (running_job == &st) return false;
    for (const Job& j : queue())
      if (j.status.get() == &st) return false;
    std::lock_guard s(st.mu);
    return st.state != "queued" && st.state != "running";  // a synchronous 'optimize'
  });
}

void training_stats(Table& t, StatRows& out) {
  TrainingStatus& st = *t.training_status();
  {
    std::lock_guard lock(st.mu);
    out.push_back({"training_state", st.state});
    out.push_back({"training_phase", st.phase.empty() ? StatValue() : StatValue(st.phase)});
    out.push_back({"training_progress", st.state == "running" ? StatValue(st.progress) : StatValue()});
    out.push_back({"training_running", int64_t{st.state == "running" ? 1 : 0}});
    out.push_back({"training_runs", st.runs});
    out.push_back({"training_background_runs", st.background_runs});
    out.push_back({"training_last_s", st.last_seconds});
    out.push_back({"training_error", st.error.empty() ? StatValue() : StatValue(st.error)});
  }
  // A training elsewhere (another process) shows as its lock row.
  out.push_back({"training_lock_pid", lock_holder(t)});
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
