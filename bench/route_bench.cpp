// Routing latency: the engine's decision (features + scoring, no SQL) and the full SQL call
//   SELECT * FROM iccache_route('ex', ?, ?, ?)
// with 5 example ids, on a file database in WAL mode, next to iccache_feedback.
//
//   build/bench/route_bench [calls] [db path]
//
// Requests are synthetic sentences (no data files needed); the table holds 1,000 examples,
// dim 256, built-in embedder. SQL calls run inside one transaction (BEGIN ... COMMIT), the
// way a serving loop batches its writes; "autocommit" repeats the route call with one
// commit each (synchronous=NORMAL in WAL, so no fsync per commit).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "route/features.h"
#include "route/router.h"

namespace {

using Clock = std::chrono::steady_clock;

void must(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const std::string& sql) {
  must(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), sql.c_str());
}

std::string sentence(int i) {
  static const char* words[] = {"explain", "the", "capital", "of", "write", "a", "poem", "about",
                                "cats", "solve", "integral", "python", "code", "sort", "list",
                                "history", "rome", "recipe", "for", "bread", "why", "is", "sky", "blue"};
  std::string s;
  unsigned x = static_cast<unsigned>(i) * 2654435761u + 12345u;
  const int n = 6 + static_cast<int>(x % 14);
  for (int w = 0; w < n; ++w) {
    x = x * 1103515245u + 12345u;
    s += std::string(w ? " " : "") + words[(x >> 16) % 24];
  }
  return s + " " + std::to_string(i);
}

struct Pcts {
  double p50, p99;
};
Pcts pcts(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/iccache_route_bench.db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());

  // Engine only: features from a unit request and 5 example signals, then decide().
  {
    iccache::route::RouterConfig c;
    c.arms = {{"small", 0.1}, {"large", 1.0}};
    iccache::route::Router r(c);
    iccache::route::FeatureBuilder fb(256);
    std::vector<float> q(256, 1.0f / 16);
    std::vector<iccache::route::ExampleSignal> ex = {{0.9, 0.8}, {0.8, 0.7}, {0.7, 0.9}, {0.6, 0.5}, {0.5, 0.5}};
    std::vector<double> us;
    int sink = 0;
    for (int i = 0; i < calls; ++i) {
      q[i % 256] += 1e-3f;
      const auto t0 = Clock::now();
      const auto x = fb.build(q.data(), ex, 120);
      const auto d = r.decide(x, 5.0, i);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      sink += d.arm;
      if (i % 10 == 0) r.learn(d.arm, x, 0.5);
    }
    const Pcts p = pcts(us);
    std::printf("engine features+decide   p50 %6.2f us  p99 %6.2f us  (%d calls, sink %d)\n", p.p50, p.p99, calls, sink);
  }

  sqlite3* db = nullptr;
  must(db, sqlite3_open(path.c_str(), &db), "open");
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, ICCACHE_EXT_PATH, "sqlite3_iccache_init", &err) != SQLITE_OK) {
    std::fprintf(stderr, "load: %s\n", err ? err : "?");
    return 1;
  }
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=256, seed=1)");
  exec(db, "BEGIN");
  {
    sqlite3_stmt* ins = nullptr;
    must(db, sqlite3_prepare_v2(db, "INSERT INTO ex(request, response, quality) VALUES(?, 'an answer', 0.8)", -1, &ins, nullptr), "prepare insert");
    for (int i = 0; i < 1000; ++i) {
      const std::string s = sentence(100000 + i);
      sqlite3_bind_text(ins, 1, s.c_str(), -1, SQLITE_TRANSIENT);
      must(db, sqlite3_step(ins), "insert");
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
  }
  exec(db, "COMMIT");

  sqlite3_stmt* route = nullptr;
  sqlite3_stmt* fb = nullptr;
  must(db, sqlite3_prepare_v2(db, "SELECT decision, model FROM iccache_route('ex', ?1, ?2, ?3)", -1, &route, nullptr), "prepare route");
  must(db, sqlite3_prepare_v2(db, "SELECT iccache_feedback('ex', ?1, ?2)", -1, &fb, nullptr), "prepare feedback");
  std::vector<std::string> reqs;
  for (int i = 0; i < calls; ++i) reqs.push_back(sentence(i));
  auto run = [&](int n, bool in_tx, std::vector<double>& route_us, std::vector<double>& fb_us) {
    if (in_tx) exec(db, "BEGIN");
    for (int i = 0; i < n; ++i) {
      const std::string ids = "[" + std::to_string(1 + i % 1000) + "," + std::to_string(1 + (i * 7) % 1000) + "," +
                              std::to_string(1 + (i * 13) % 1000) + "," + std::to_string(1 + (i * 17) % 1000) + "," +
                              std::to_string(1 + (i * 31) % 1000) + "]";
      sqlite3_bind_text(route, 1, reqs[i].c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(route, 2, ids.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(route, 3, 1.7e9 + i * 0.01);
      auto t0 = Clock::now();
      must(db, sqlite3_step(route), "route");
      const sqlite3_int64 decision = sqlite3_column_int64(route, 0);
      sqlite3_reset(route);
      route_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (i % 10 == 0) {  // feedback on a sample of requests, as in serving
        sqlite3_bind_int64(fb, 1, decision);
        sqlite3_bind_double(fb, 2, (i % 3) ? 0.9 : 0.3);
        t0 = Clock::now();
        must(db, sqlite3_step(fb), "feedback");
        sqlite3_reset(fb);
        fb_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    }
    if (in_tx) exec(db, "COMMIT");
  };
  std::vector<double> warm_r, warm_f, route_us, fb_us, auto_r, auto_f;
  run(std::min(calls, 1000), true, warm_r, warm_f);
  run(calls, true, route_us, fb_us);
  Pcts p = pcts(route_us), f = pcts(fb_us);
  std::printf("SQL iccache_route (tx)   p50 %6.2f us  p99 %6.2f us  (%d calls, 5 example ids)\n", p.p50, p.p99, calls);
  std::printf("SQL iccache_feedback (tx) p50 %6.2f us  p99 %6.2f us  (%zu calls)\n", f.p50, f.p99, fb_us.size());
  run(std::min(calls, 2000), false, auto_r, auto_f);
  p = pcts(auto_r);
  std::printf("SQL iccache_route (autocommit, WAL, synchronous=NORMAL) p50 %6.2f us  p99 %6.2f us\n", p.p50, p.p99);
  sqlite3_finalize(route);
  sqlite3_finalize(fb);
  sqlite3_close(db);
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  return 0;
}
