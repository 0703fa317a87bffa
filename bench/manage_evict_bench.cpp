// Eviction at scale: iccache_evict removing 10% of an N-example cache (default 1,000,000),
// p50 over repetitions inside BEGIN ... ROLLBACK, one committed run, and the engine's
// knapsack plan alone on the same number of candidates.
//
//   build-manage/bench/manage_evict_bench [N] [reps] [dim] [db path]
//
// Text: the shipped GSM8K sample (examples/data/gsm8k_sample.json); example i is problem
// i mod 2000 with " (case i)" appended, and its worked answer. Values: a seeded 30% of the
// examples get 1 to 3 offloads at random times within the last 30 days (the rest keep the
// new-example prior), so the knapsack sees a realistic spread of values.
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <sstream>

#include "bench_util.h"
#include "manage/eviction.h"

using bench::exec;
using bench::ms_since;
using bench::scalar;

int main(int argc, char** argv) {
  const int64_t n = bench::arg_int(argc, argv, 1, 1000000);
  const int reps = static_cast<int>(bench::arg_int(argc, argv, 2, 5));
  const int dim = static_cast<int>(bench::arg_int(argc, argv, 3, 64));
  const std::string path = bench::arg_text(argc, argv, 4, "/tmp/iccache_manage_evict.db");
  sqlite3* db = bench::open_fresh(path, {ICCACHE_EXT_PATH});
  const std::vector<bench::Pair> sample = bench::load_sample(db);
  std::mt19937_64 rng(6);

  // ivf_min above N: selection stays exact, so building does not include k-means training.
  exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(dim) + ", ivf_min=" +
               std::to_string(n + 1) + ")");
  auto t0 = bench::Clock::now();
  exec(db, "BEGIN");
  bench::insert_sample(db, "ex", n, sample);
  exec(db, "COMMIT");
  const double build_ms = ms_since(t0);

  // Feedback: 30% of the examples get 1..3 offloads at random times in the last 30 days.
  t0 = bench::Clock::now();
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  exec(db, "BEGIN");
  std::vector<std::string> batches(1000, "[");
  for (int64_t id = 1; id <= n; ++id) {
    if (rng() % 10 >= 3) continue;
    const int times = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < times; ++k) {
      std::string& b = batches[rng() % batches.size()];
      b += (b.size() > 1 ? "," : "") + std::to_string(id);
    }
  }
  for (size_t b = 0; b < batches.size(); ++b) {
    const double at = now - 30 * 86400.0 * static_cast<double>(batches.size() - b) / batches.size();
    exec(db, "SELECT iccache_example_feedback('ex', '" + batches[b] + "]', 'small', 1, " +
                 std::to_string(at) + ")");
  }
  exec(db, "COMMIT");
  const double feedback_ms = ms_since(t0);

  const int64_t total = std::atoll(scalar(db, "SELECT value FROM ex_state WHERE key = 'bytes'").c_str());
  const int64_t budget = total - total / 10;
  const std::string call = "SELECT iccache_evict('ex', " + std::to_string(budget) + ")";
  std::vector<double> times;
  std::string result;
  for (int r = 0; r < reps; ++r) {
    exec(db, "BEGIN");
    t0 = bench::Clock::now();
    result = scalar(db, call);
    times.push_back(ms_since(t0));
    exec(db, "ROLLBACK");
  }
  const int64_t free_before = std::atoll(scalar(db, "PRAGMA freelist_count").c_str());
  t0 = bench::Clock::now();
  scalar(db, call);  // autocommit: includes writing the commit
  const double committed_ms = ms_since(t0);
  const int64_t free_after = std::atoll(scalar(db, "PRAGMA freelist_count").c_str());

  // The engine's plan alone on the candidates of the evicted table's size.
  std::vector<iccache::manage::EvictionCandidate> cands(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    cands[static_cast<size_t>(i)] = {i + 1, 600 + static_cast<int64_t>(rng() % 400),
                                     static_cast<double>(rng() % 4), now - static_cast<double>(rng() % 2592000), false};
  t0 = bench::Clock::now();
  const iccache::manage::EvictionPlan plan = iccache::manage::plan_eviction(cands, budget, 604800);
  const double plan_ms = ms_since(t0);

  std::printf("examples %lld, dim %d, %lld bytes (bytes column), file %lld bytes\n",
              static_cast<long long>(n), dim, static_cast<long long>(total), bench::file_bytes(path));
  std::printf("build (one transaction): %.1f s; feedback for 30%% of examples: %.1f s\n",
              build_ms / 1000, feedback_ms / 1000);
  std::printf("iccache_evict to 90%% of the bytes, in BEGIN..ROLLBACK, %d runs: p50 %.2f s (min %.2f, max %.2f)\n",
              reps, bench::percentile(times, 0.5) / 1000, *std::min_element(times.begin(), times.end()) / 1000,
              *std::max_element(times.begin(), times.end()) / 1000);
  std::printf("  result: %s\n", result.c_str());
  std::printf("iccache_evict committed (autocommit, includes the commit): %.2f s; freelist pages %lld -> %lld\n",
              committed_ms / 1000, static_cast<long long>(free_before), static_cast<long long>(free_after));
  std::printf("engine plan_eviction alone on %lld candidates: %.0f ms (evicts %zu)\n",
              static_cast<long long>(n), plan_ms, plan.evict.size());
  sqlite3_close(db);
  return 0;
}
