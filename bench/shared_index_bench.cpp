// Many workers, one cache (docs/performance.md, "Many connections and processes"): MATCH
// latency right after another connection of this process, or another process, commits one
// INSERT; the catch-up cost per change; resident memory of 8 connections; a new
// connection's first MATCH; 2-thread MATCH throughput; and the INSERTs around the one that
// crosses the automatic training threshold (training runs in the background).
//
//   shared_index_bench [--n 200000] [--dim 384] [--queries 200] [--train-n 20000] [--crossings 5] [--dir /tmp]
//                      [--only index|train|feedback] [--seconds 3] [--memstatus 1] [--insert-gap-ms 1]
//
// --memstatus 0 turns off SQLite's memory statistics before anything opens: with them on
// (the library default) every sqlite3_malloc and sqlite3_free of every connection takes
// one process-wide mutex, the only lock the 2-thread MATCH run was seen waiting on.
//
// --only runs one part: index (fill, latencies, memory, throughput), train (--crossings
// times on a new file: the crossing INSERT of a table of --train-n rows, then one INSERT per --insert-gap-ms until the
// background training is over: their latencies, those while it writes its rows, and the
// time its switch holds the write lock), feedback (issue 13 item 6: another connection's
// feedback). --autocheckpoint N sets the inserting connection's WAL autocheckpoint.
//
// Data: n unit vectors around 256 random centres (clustered), a WAL file with
// synchronous=NORMAL, the IVF index trained once by 'optimize'; queries are other points of
// the same clusters; MATCH k = 10, selection='similarity'.
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"

using namespace bench;

namespace {

struct Args {
  int n = 200000, dim = 384, queries = 200, train_n = 20000, crossings = 5;
  std::string dir = "/tmp";
  std::string only;  // empty: every part
  double seconds = 3;  // each throughput run
  double insert_gap_ms = 1;  // --only train: pause between the INSERTs while training runs
  int autocheckpoint = -1;   // --autocheckpoint N: sqlite3_wal_autocheckpoint of the inserting connection
  bool memstatus = true;  // --memstatus 0: sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) first
  bool runs(const char* part) const { return only.empty() || only == part; }
};

std::vector<float> clustered(int n, int dim, uint64_t seed, int centres = 256) {
  std::mt19937_64 rng(42);  // the same centres for data and queries
  std::normal_distribution<float> g;
  std::vector<float> c(static_cast<size_t>(centres) * dim);
  for (float& x : c) x = g(rng);
  std::mt19937_64 r2(seed);
  std::vector<float> out(static_cast<size_t>(n) * dim);
  for (int i = 0; i < n; ++i) {
    const float* cc = &c[static_cast<size_t>(r2() % centres) * dim];
    float* v = &out[static_cast<size_t>(i) * dim];
    double norm = 0;
    for (int d = 0; d < dim; ++d) norm += (v[d] = cc[d] + 0.35f * g(r2)) * v[d];
    for (int d = 0; d < dim; ++d) v[d] /= static_cast<float>(std::sqrt(norm));
  }
  return out;
}

sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  must(db, sqlite3_open(path.c_str(), &db), "open " + path);
  sqlite3_busy_timeout(db, 60000);
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, ICCACHE_EXT_PATH, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "load: %s\n", err ? err : "?");
    std::exit(1);
  }
  exec(db, "PRAGMA synchronous = NORMAL");
  return db;
}

// The INSERT statement of this thread, for the connection it was prepared on.
thread_local sqlite3_stmt* insert_stmt = nullptr;
thread_local sqlite3* insert_db = nullptr;

void insert(sqlite3* db, const float* v, int dim, int64_t id) {
  if (insert_db != db) {
    if (insert_stmt) sqlite3_finalize(insert_stmt);
    insert_stmt = prepare(db, "INSERT INTO ex(rowid, request, response, embedding) VALUES(?1, 'request ' || ?1, 'response', ?2)");
    insert_db = db;
  }
  sqlite3_bind_int64(insert_stmt, 1, id);
  sqlite3_bind_blob(insert_stmt, 2, v, dim * 4, SQLITE_STATIC);
  must(db, sqlite3_step(insert_stmt), "insert");
  sqlite3_reset(insert_stmt);
}

// Finalizes this thread's INSERT statement (before its connection closes).
void finish_inserts() {
  if (insert_stmt) sqlite3_finalize(insert_stmt);
  insert_stmt = nullptr;
  insert_db = nullptr;
}

// One MATCH k = 10; returns milliseconds.
// prepare_ms: when given, the preparation's milliseconds (a new connection's first
// statement reads the schema and opens the table there: xConnect).
double match(sqlite3* db, const float* q, int dim, double* prepare_ms = nullptr) {
  const auto p0 = Clock::now();
  sqlite3_stmt* s = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 10");
  if (prepare_ms) *prepare_ms = ms_since(p0);
  sqlite3_bind_blob(s, 1, q, dim * 4, SQLITE_STATIC);
  auto t0 = Clock::now();
  int rows = 0;
  while (sqlite3_step(s) == SQLITE_ROW) ++rows;
  double ms = ms_since(t0);
  sqlite3_finalize(s);
  if (rows != 10) {
    std::fprintf(stderr, "MATCH returned %d rows\n", rows);
    std::exit(1);
  }
  return ms;
}

// The first column of the first row, "" when none or on an error.
std::string try_scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) return "";
  std::string out = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
                        ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                        : "";
  sqlite3_finalize(s);
  return out;
}

std::string stat(sqlite3* db, const std::string& key) {
  sqlite3_stmt* s = prepare(db, "SELECT value FROM ex_stats WHERE key = '" + key + "'");
  std::string out = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)
                        ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0))
                        : "";
  sqlite3_finalize(s);
  return out;
}

double cpu_seconds() {  // this process, all threads
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

long rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// A second process that inserts one row per byte it reads, answering each with a byte
// after its commit. Forked before this process loads anything.
struct Child {
  pid_t pid = 0;
  int to = -1, from = -1;
  void start(const std::string& path, int dim) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) std::exit(1);
    pid = fork();
    if (pid == 0) {
      close(a[1]);
      close(b[0]);
      char c;
      sqlite3* db = nullptr;
      std::vector<float> v = clustered(1, dim, 999);
      int64_t id = 900000000;
      while (read(a[0], &c, 1) == 1) {
        if (!db) db = open_db(path);
        insert(db, v.data(), dim, id++);
        if (write(b[1], &c, 1) != 1) break;
      }
      _exit(0);
    }
    close(a[0]);
    close(b[1]);
    to = a[1];
    from = b[0];
  }
  void insert_one() {
    char c = 'i';
    if (write(to, &c, 1) != 1 || read(from, &c, 1) != 1) std::exit(1);
  }
  void stop() {
    close(to);
    waitpid(pid, nullptr, 0);
  }
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--n") a.n = std::atoi(argv[i + 1]);
    else if (k == "--dim") a.dim = std::atoi(argv[i + 1]);
    else if (k == "--queries") a.queries = std::atoi(argv[i + 1]);
    else if (k == "--train-n") a.train_n = std::atoi(argv[i + 1]);
    else if (k == "--crossings") a.crossings = std::max(1, std::atoi(argv[i + 1]));
    else if (k == "--dir") a.dir = argv[i + 1];
    else if (k == "--only") a.only = argv[i + 1];
    else if (k == "--seconds") a.seconds = std::atof(argv[i + 1]);
    else if (k == "--insert-gap-ms") a.insert_gap_ms = std::atof(argv[i + 1]);
    else if (k == "--autocheckpoint") a.autocheckpoint = std::atoi(argv[i + 1]);
    else if (k == "--memstatus") a.memstatus = std::atoi(argv[i + 1]) != 0;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (!a.memstatus && sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) refused\n");
    return 1;
  }
  const std::string path = a.dir + "/shared_index_bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  const int dim = a.dim;
  std::printf("shared_index_bench: n=%d dim=%d queries=%d (clustered, WAL, synchronous=NORMAL, k=10)\n", a.n, dim,
              a.queries);
  if (a.runs("index")) {
    Child child;
    child.start(path, a.dim);

    // Fill and train.
    sqlite3* w = open_db(path);
    exec(w, "PRAGMA journal_mode = WAL");
    exec(w, "CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(dim) +
                ", embedder='none', selection='similarity', ivf_min=1073741824, seed=1)");
    {
      std::vector<float> data = clustered(a.n, dim, 1);
      auto t0 = Clock::now();
      exec(w, "BEGIN");
      for (int i = 0; i < a.n; ++i) insert(w, &data[static_cast<size_t>(i) * dim], dim, i + 1);
      exec(w, "COMMIT");
      std::printf("fill: %.1f s\n", ms_since(t0) / 1000);
      t0 = Clock::now();
      exec(w, "INSERT INTO ex(ex) VALUES('optimize')");
      std::printf("optimize (k-means + assign + write + tune): %.1f s\n", ms_since(t0) / 1000);
      // The write phase is what a background training holds the write lock for.
      sqlite3_stmt* s = prepare(w, "SELECT group_concat(key || ' ' || printf('%.2f', value), ', ') FROM ex_state "
                                   "WHERE key LIKE 'train\\_%' ESCAPE '\\'");
      if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        std::printf("  phases (s): %s\n", reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      sqlite3_finalize(s);
    }
    const std::vector<float> queries = clustered(a.queries, dim, 2);
    const std::vector<float> extra = clustered(a.queries + 2000, dim, 3);
    auto q = [&](int i) { return &queries[static_cast<size_t>(i % a.queries) * dim]; };
    int64_t next_id = 10000000;

    sqlite3* r = open_db(path);
    const long rss0 = rss_kb();
    auto t0 = Clock::now();
    match(r, q(0), dim);
    std::printf("first MATCH of the process (loads the index): %.0f ms, RSS +%.0f MB, index %.0f MB\n", ms_since(t0),
                (rss_kb() - rss0) / 1024.0, std::atof(stat(r, "index_memory_bytes").c_str()) / 1e6);
    std::vector<double> idle, same, foreign;
    for (int i = 0; i < a.queries; ++i) idle.push_back(match(r, q(i), dim));
    for (int i = 0; i < a.queries; ++i) {
      insert(w, &extra[static_cast<size_t>(i) * dim], dim, next_id++);
      same.push_back(match(r, q(i), dim));
    }
    for (int i = 0; i < a.queries; ++i) {
      child.insert_one();
      foreign.push_back(match(r, q(i), dim));
    }
    const double p_idle = percentile(idle, 0.5);
    std::printf("MATCH p50 idle:                                %.3f ms (p99 %.3f)\n", p_idle, percentile(idle, 0.99));
    std::printf("MATCH p50 after a same-process INSERT:         %.3f ms (%.2fx idle, p99 %.3f)\n", percentile(same, 0.5),
                percentile(same, 0.5) / p_idle, percentile(same, 0.99));
    std::printf("MATCH p50 after another process's INSERT:      %.3f ms (%.2fx idle, p99 %.3f)\n",
                percentile(foreign, 0.5), percentile(foreign, 0.5) / p_idle, percentile(foreign, 0.99));
    // Catch-up per change: 1000 inserts by the writer in one transaction, then one MATCH.
    {
      std::vector<double> per;
      for (int rep = 0; rep < 5; ++rep) {
        exec(w, "BEGIN");
        for (int i = 0; i < 1000; ++i) insert(w, &extra[static_cast<size_t>(i % 2000) * dim], dim, next_id++);
        exec(w, "COMMIT");
        per.push_back((match(r, q(rep), dim) - p_idle) * 1000.0 / 1000);
      }
      std::printf("catch-up per change (1000 inserts, then one MATCH, minus idle): %.1f us (median of 5)\n",
                  percentile(per, 0.5));
    }
    std::printf("reloads of the shared index so far: %s (changes applied: %s)\n", stat(r, "index_reloads").c_str(),
                stat(r, "index_changes_applied").c_str());
    // Eight connections of this process, each running MATCH.
    {
      const long before = rss_kb();
      std::vector<sqlite3*> conns;
      std::vector<double> first, prep, again, extra;
      for (int i = 0; i < 8; ++i) {
        conns.push_back(open_db(path));
        double p = 0;
        first.push_back(match(conns.back(), q(i), dim, &p));
        prep.push_back(p);
      }
      std::printf("8 more connections, each after one MATCH: RSS +%.1f MB; a new connection's first MATCH p50 %.3f ms, "
                  "max %.3f ms; index_shared_by %s\n",
                  (rss_kb() - before) / 1024.0, percentile(first, 0.5), percentile(first, 1.0),
                  stat(r, "index_shared_by").c_str());
      // The same 8 queries again on the same connections: what those queries cost a warm
      // connection (their lists differ in length from the 200-query idle mix), so that the
      // difference is the connection's own first-statement cost.
      for (int i = 0; i < 8; ++i) {
        again.push_back(match(conns[i], q(i), dim));
        extra.push_back(first[i] - again[i]);
      }
      std::printf("  the same queries again on those connections: p50 %.3f ms; first minus again: p50 %.3f ms, max %.3f ms; "
                  "the first MATCH's preparation (schema, xConnect) p50 %.3f ms\n",
                  percentile(again, 0.5), percentile(extra, 0.5), percentile(extra, 1.0), percentile(prep, 0.5));
      // Throughput: 1 thread, then 2 threads, each on its own connection.
      // Each run lasts --seconds; the process's CPU time says how many cores it really got
      // (on a loaded machine two threads get less than two), so queries per CPU-second
      // separate contention in the code from a lack of cores. Three rounds of 1 then 2
      // threads; the best of each.
      struct Run {
        double qps = 0, cpus = 0;
      };
      auto run = [&](int threads) {
        std::atomic<long> done{0};
        const double cpu0 = cpu_seconds();
        auto t = Clock::now();
        std::vector<std::thread> ts;
        for (int th = 0; th < threads; ++th)
          ts.emplace_back([&, th] {
            long n = 0;
            for (int i = 0; ms_since(t) < a.seconds * 1000; ++i, ++n) match(conns[th], q(i + th * 7), dim);
            done += n;
          });
        for (auto& x : ts) x.join();
        const double wall = ms_since(t) / 1000;
        return Run{done / wall, (cpu_seconds() - cpu0) / wall};
      };
      Run one, two;
      for (int round = 0; round < 3; ++round) {
        const Run r1 = run(1), r2 = run(2);
        if (r1.qps > one.qps) one = r1;
        if (r2.qps > two.qps) two = r2;
      }
      std::printf("MATCH throughput: 1 thread %.0f/s (%.2f CPUs busy), 2 threads %.0f/s (%.2f CPUs busy): %.2fx; "
                  "per CPU-second %.0f vs %.0f (%.2fx)\n",
                  one.qps, one.cpus, two.qps, two.cpus, two.qps / one.qps, one.qps / one.cpus, two.qps / two.cpus,
                  (two.qps / two.cpus) / (one.qps / one.cpus));
      for (sqlite3* c : conns) sqlite3_close(c);
    }
    child.stop();
    sqlite3_close(r);
    sqlite3_close(w);

    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }

  // The INSERT that crosses the training threshold, --crossings times, each on a new file
  // of train_n rows (the same data) in this process: the first table is the process's first,
  // the later ones find the training worker already there.
  if (a.runs("train")) {
    std::vector<float> data = clustered(a.train_n + 3000, dim, 5);
    std::vector<double> before, crossing, during, writing, in_use;
    for (int rep = 0; rep < a.crossings; ++rep) {
      const std::string p2 = a.dir + "/shared_index_bench_train" + std::to_string(rep) + ".db";
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p2 + suffix).c_str());
      sqlite3* db = open_db(p2);
      exec(db, "PRAGMA journal_mode = WAL");
      exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(dim) +
                   ", embedder='none', selection='similarity', ivf_min=" + std::to_string(a.train_n) + ", seed=1)");
      exec(db, "BEGIN");
      for (int i = 0; i < a.train_n - 1000; ++i) insert(db, &data[static_cast<size_t>(i) * dim], dim, i + 1);
      exec(db, "COMMIT");
      std::vector<double> rep_before;
      double crossing_ms = 0, trained_at = -1;
      auto start = Clock::now();
      for (int i = a.train_n - 1000; i < a.train_n; ++i) {
        auto t = Clock::now();
        insert(db, &data[static_cast<size_t>(i) * dim], dim, i + 1);
        const double ms = ms_since(t);
        if (i + 1 < a.train_n) rep_before.push_back(ms);
        else {
          crossing_ms = ms;
          start = Clock::now();
        }
      }
      // Then one INSERT every --insert-gap-ms (a serving loop's admissions) until the
      // training is over (its rows written, switched, the old ones emptied), vectors reused
      // from a pool of 3,000 under new ids. Every 20 ms (not timed): whether the training is
      // over (iccache_training_wait with timeout 0 reads no table), whether its index is in
      // use (a new 'epoch' in ex_state), and whether it is writing rows (ex_index_alt has
      // rows; files of versions before it have none, then that figure is not printed).
      if (a.autocheckpoint >= 0) sqlite3_wal_autocheckpoint(db, a.autocheckpoint);
      const std::string epoch0 = try_scalar(db, "SELECT value FROM ex_state WHERE key = 'epoch'");
      bool in_writing = false;
      auto checked = Clock::now() - std::chrono::seconds(1);
      for (int64_t j = 0;; ++j) {
        if (ms_since(checked) >= 20) {
          checked = Clock::now();
          if (try_scalar(db, "SELECT iccache_training_wait('ex', 0)") == "1") break;
          if (trained_at < 0 && try_scalar(db, "SELECT value FROM ex_state WHERE key = 'epoch'") != epoch0)
            trained_at = ms_since(start);
          in_writing = try_scalar(db, "SELECT EXISTS (SELECT 1 FROM ex_index_alt) OR EXISTS (SELECT 1 FROM ex_state WHERE "
                                  "key = 'index_slot' AND value = 1)") == "1";
        }
        auto t = Clock::now();
        insert(db, &data[static_cast<size_t>(a.train_n + j % 3000) * dim], dim, a.train_n + 1 + j);
        const double ms = ms_since(t);
        if (ms > 200) std::printf("  slow INSERT: %.0f ms at %.0f ms after the crossing%s\n", ms, ms_since(start), in_writing ? " (writing)" : "");
        during.push_back(ms);
        if (in_writing) writing.push_back(ms);
        if (a.insert_gap_ms > 0) usleep(static_cast<useconds_t>(a.insert_gap_ms * 1000));
      }
      sqlite3_stmt* s = prepare(db, "SELECT iccache_training_wait('ex')");
      sqlite3_step(s);
      sqlite3_finalize(s);
      if (trained_at < 0) trained_at = ms_since(start);
      std::printf("crossing %d: the INSERT crossing ivf_min=%d %.3f ms; INSERT before it p50 %.3f ms, max %.3f ms; "
                  "trained index in use %.0f ms after it (training itself: %s s)\n",
                  rep + 1, a.train_n, crossing_ms, percentile(rep_before, 0.5), percentile(rep_before, 1.0), trained_at,
                  stat(db, "training_last_s").c_str());
      s = prepare(db, "SELECT group_concat(key || ' ' || printf('%.4g', value), ', ') FROM ex_state "
                      "WHERE key LIKE 'train\\_%' ESCAPE '\\'");
      if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        std::printf("  phases (s; train_switch_s: the write lock held by the switch, but for COMMIT): %s\n",
                    reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      sqlite3_finalize(s);
      crossing.push_back(crossing_ms);
      in_use.push_back(trained_at);
      before.insert(before.end(), rep_before.begin(), rep_before.end());
      finish_inserts();
      sqlite3_close(db);
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p2 + suffix).c_str());
    }
    std::printf("INSERT before the threshold: p50 %.3f ms, max %.3f ms (%zu inserts)\n", percentile(before, 0.5),
                percentile(before, 1.0), before.size());
    std::printf("the INSERT crossing ivf_min=%d: p50 %.3f ms, max %.3f ms (%zu crossings)\n", a.train_n,
                percentile(crossing, 0.5), percentile(crossing, 1.0), crossing.size());
    std::printf("INSERTs while the background training ran (one per %.1f ms): %zu, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                a.insert_gap_ms, during.size(), percentile(during, 0.5), percentile(during, 0.99), percentile(during, 1.0));
    if (!writing.empty())
      std::printf("  of which while it wrote its rows: %zu, p50 %.3f ms, p99 %.3f ms, max %.3f ms (the longest wait)\n",
                  writing.size(), percentile(writing, 0.5), percentile(writing, 0.99), percentile(writing, 1.0));
    std::printf("trained index in use after the crossing INSERT: p50 %.0f ms, max %.0f ms\n", percentile(in_use, 0.5),
                percentile(in_use, 1.0));
  }

  // Issue item 6: what another connection's feedback costs the next MATCH + route here
  // (router and selection state follow their own nonces). Default selection='utility',
  // built-in embedder, 20k texts.
  if (a.runs("feedback")) {
    const std::string p3 = a.dir + "/shared_index_bench_feedback.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p3 + suffix).c_str());
    sqlite3* fw = open_db(p3);
    exec(fw, "PRAGMA journal_mode = WAL");
    exec(fw, "CREATE VIRTUAL TABLE ex USING iccache(dim=256, ivf_min=1073741824, seed=1)");
    exec(fw, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
             "INSERT INTO ex(rowid, request, response, model, quality) SELECT i, 'question ' || i || ' about topic ' || "
             "(i % 97) || ' and item ' || (i % 13), 'answer ' || i, 'large', 0.9 FROM n");
    sqlite3* fr = open_db(p3);
    auto serve = [&](sqlite3* db, int i) {
      const std::string req = "question about topic " + std::to_string(i % 97) + " and item " + std::to_string(i % 13);
      auto t = Clock::now();
      sqlite3_stmt* m = prepare(db, "SELECT json_group_array(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 5)");
      sqlite3_bind_text(m, 1, req.c_str(), -1, SQLITE_TRANSIENT);
      must(db, sqlite3_step(m), "match");
      const std::string ids = reinterpret_cast<const char*>(sqlite3_column_text(m, 0));
      sqlite3_finalize(m);
      exec(db, "BEGIN IMMEDIATE");
      sqlite3_stmt* r = prepare(db, "SELECT decision FROM iccache_route('ex', ?1, ?2)");
      sqlite3_bind_text(r, 1, req.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(r, 2, ids.c_str(), -1, SQLITE_TRANSIENT);
      must(db, sqlite3_step(r), "route");
      const int64_t decision = sqlite3_column_int64(r, 0);
      sqlite3_finalize(r);
      exec(db, "COMMIT");
      const double ms = ms_since(t);
      return std::make_pair(ms, decision);
    };
    for (int i = 0; i < a.queries; ++i) serve(fr, i);  // warm: index, router, selection attributes
    std::vector<double> idle_fb, after_fb, idle_rows, after_rows;
    auto rows_read = [&] { return std::atof(stat(fr, "select_rows_read").c_str()); };
    for (int i = 0; i < a.queries; ++i) {
      const double r0 = rows_read();
      idle_fb.push_back(serve(fr, i).first);
      idle_rows.push_back(rows_read() - r0);
    }
    for (int i = 0; i < a.queries; ++i) {
      const int64_t d = serve(fw, i + 1000).second;
      exec(fw, "BEGIN IMMEDIATE; SELECT iccache_feedback('ex', " + std::to_string(d) + ", 0.8); COMMIT");
      const double r0 = rows_read();
      after_fb.push_back(serve(fr, i).first);
      after_rows.push_back(rows_read() - r0);
    }
    auto mean = [](const std::vector<double>& v) {
      double s = 0;
      for (double x : v) s += x;
      return v.empty() ? 0 : s / v.size();
    };
    std::printf("MATCH k=5 + iccache_route (utility selection, 20k texts): p50 idle %.3f ms; right after another "
                "connection's route + feedback %.3f ms (%.2fx)\n",
                percentile(idle_fb, 0.5), percentile(after_fb, 0.5), percentile(after_fb, 0.5) / percentile(idle_fb, 0.5));
    std::printf("  example rows read for scoring per request (select_rows_read): idle mean %.2f; right after another "
                "connection's feedback mean %.2f, max %.0f\n",
                mean(idle_rows), mean(after_rows), percentile(after_rows, 1.0));
    sqlite3_close(fr);
    sqlite3_close(fw);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p3 + suffix).c_str());
  }
  return 0;
}
