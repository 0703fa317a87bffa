// Foundation benchmark: insert rate with the built-in embedder in one transaction, and exact
// top-10 latency through SQL, at N examples (default 100,000), next to the raw engine calls.
//
//   build/bench/bench_foundation [N] [queries]
//
// Text: the shipped GSM8K sample (examples/data/gsm8k_sample.json, 2,000 problems); example i
// is problem i mod 2000 with " (case i)" appended, so every request is distinct and has a
// real request's length. Queries are problems with a different suffix.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "bench_util.h"
#include "embed/hash_embedder.h"
#include "index/exact_index.h"

using namespace bench;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int nq = argc > 2 ? std::atoi(argv[2]) : 200;
  const int dim = 256;
  std::string path = "/tmp/iccache_bench_foundation.db";
  std::remove(path.c_str());
  sqlite3* db;
  must(db, sqlite3_open(path.c_str(), &db), "open");
  sqlite3_enable_load_extension(db, 1);
  must(db, sqlite3_load_extension(db, ICCACHE_EXT_PATH, nullptr, nullptr), "load");
  std::vector<Pair> sample = load_sample(db);
  exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=256, embedder='hash')");

  // Insert rate: one transaction, built-in embedder, prepared statement.
  auto t0 = Clock::now();
  exec(db, "BEGIN");
  bench::insert_sample(db, "ex", n, sample);
  exec(db, "COMMIT");
  double insert_ms = ms_since(t0);

  // Exact top-10 through SQL. The first query loads the in-memory index from the file.
  sqlite3_stmt* sel;
  must(db, sqlite3_prepare_v2(db, "SELECT rowid, similarity FROM ex WHERE ex MATCH ? AND k = 10", -1, &sel, nullptr), "prepare");
  auto run_query = [&](const std::string& q) {
    sqlite3_bind_text(sel, 1, q.data(), static_cast<int>(q.size()), SQLITE_TRANSIENT);
    int rows = 0;
    while (sqlite3_step(sel) == SQLITE_ROW) ++rows;
    sqlite3_reset(sel);
    return rows;
  };
  auto q_text = [&](int i) { return sample[(i * 7 + 3) % sample.size()].q + " (query " + std::to_string(i) + ")"; };
  t0 = Clock::now();
  run_query(q_text(0));
  double cold_ms = ms_since(t0);
  std::vector<double> lat;
  for (int i = 1; i <= nq; ++i) {
    t0 = Clock::now();
    if (run_query(q_text(i)) != std::min(10, n)) {
      std::fprintf(stderr, "short result\n");
      return 1;
    }
    lat.push_back(ms_since(t0));
  }
  sqlite3_finalize(sel);
  sqlite3_close(db);

  // The same work without SQL: embedder alone, and embed + exact search on the engine.
  iccache::HashEmbedder emb(dim);
  std::vector<float> v(dim);
  t0 = Clock::now();
  for (int i = 0; i < 20000; ++i) emb.embed(q_text(i), v.data());
  double embed_us = ms_since(t0) * 1000 / 20000;
  iccache::index::ExactIndex index(dim);
  index.reserve(n);
  for (int i = 0; i < n; ++i) {
    emb.embed(sample[i % sample.size()].q + " (case " + std::to_string(i) + ")", v.data());
    index.upsert(i + 1, v.data(), "");
  }
  std::vector<double> raw;
  for (int i = 1; i <= nq; ++i) {
    t0 = Clock::now();
    emb.embed(q_text(i), v.data());
    auto hits = index.search(v.data(), 10);
    raw.push_back(ms_since(t0));
  }

  std::printf("iccache foundation bench: N=%d, dim=%d, built-in hash embedder, %d queries\n", n, dim, nq);
  std::printf("insert (one transaction, SQL)   %10.0f examples/s  (%.2f s total)\n", n / (insert_ms / 1000), insert_ms / 1000);
  std::printf("embed one request (engine)      %10.1f us\n", embed_us);
  std::printf("first MATCH (loads the index)   %10.2f ms\n", cold_ms);
  std::printf("exact top-10 via SQL            p50 %7.2f ms  p99 %7.2f ms\n", percentile(lat, 0.5), percentile(lat, 0.99));
  std::printf("exact top-10 raw engine call    p50 %7.2f ms  p99 %7.2f ms\n", percentile(raw, 0.5), percentile(raw, 0.99));
  std::remove(path.c_str());
  return 0;
}
