// Selection latency with and without the second stage (docs/selection.md): two tables with
// the same N examples (default 1,000,000) and the same IVF training, one with
// selection='similarity' (stage 1 only: top-k by similarity) and one two-stage (candidates
// from the IVF index, scored by the utility model, threshold 0 so k rows come back), queried
// alternately with the same requests; p50 and p99 of the whole MATCH (embed the text, search,
// score, read k rows with their responses).
//
//   build-select/bench/select_bench [N] [queries] [candidates] [k] [db path] [dim]
//   (SELECT_BENCH_REUSE=1 queries an existing file from an earlier run instead of building)
//
// Text: the shipped GSM8K sample; example i is problem i mod 2000 with " (case i)"
// appended, and its worked answer; dim 256 (the default), the built-in embedder. Queries are other
// problems' texts with another suffix, as TEXT (lexical features on) and as vectors.
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "embed/hash_embedder.h"

namespace {

using bench::exec;
using bench::ms_since;
using bench::must;

using bench::load_sample;
using bench::Pair;

// Runs a prepared MATCH with ?1 bound to the query (text or blob); returns ms and rows.
double run_query(sqlite3* db, sqlite3_stmt* s, const std::string& q, bool blob, int& rows) {
  const auto t0 = bench::Clock::now();
  if (blob) sqlite3_bind_blob(s, 1, q.data(), static_cast<int>(q.size()), SQLITE_STATIC);
  else sqlite3_bind_text(s, 1, q.data(), static_cast<int>(q.size()), SQLITE_STATIC);
  rows = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlite3_column_int64(s, 0);
    sqlite3_column_text(s, 1);  // the response, as serving code reads it
    ++rows;
  }
  must(db, rc, "match");
  sqlite3_reset(s);
  return ms_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const int queries = argc > 2 ? std::atoi(argv[2]) : 400;
  const int candidates = argc > 3 ? std::atoi(argv[3]) : 50;
  const int k = argc > 4 ? std::atoi(argv[4]) : 5;
  const std::string path = argc > 5 ? argv[5] : "/tmp/iccache_select_bench.db";
  const int dim = argc > 6 ? std::atoi(argv[6]) : 256;
  const bool reuse = std::getenv("SELECT_BENCH_REUSE") && bench::file_bytes(path) > 0;
  sqlite3* db = nullptr;
  if (reuse) {
    must(db, sqlite3_open(path.c_str(), &db), "open " + path);
    sqlite3_enable_load_extension(db, 1);
    must(db, sqlite3_load_extension(db, ICCACHE_EXT_PATH, nullptr, nullptr), "load");
    exec(db, "PRAGMA cache_size = -262144");
  } else {
    db = bench::open_fresh(path, {ICCACHE_EXT_PATH});
  }
  const std::vector<Pair> sample = load_sample(db);

  // Built with ivf_min above N, then trained once ('optimize'): the same seed gives both
  // tables the same centroids and lists.
  const std::string common = "dim=" + std::to_string(dim) + ", seed=1, ivf_min=" + std::to_string(n + 1);
  double build_s = 0, train_s = 0;
  if (!reuse) {
  exec(db, "CREATE VIRTUAL TABLE two USING iccache(" + common + ", candidates=" + std::to_string(candidates) +
               ", threshold=0)");
  exec(db, "CREATE VIRTUAL TABLE one USING iccache(" + common + ", selection='similarity')");
  auto t0 = bench::Clock::now();
  exec(db, "BEGIN");
  bench::insert_sample(db, "two", n, sample);
  exec(db, "INSERT INTO one(rowid, request, response, embedding, model, quality, created_at)"
           " SELECT rowid, request, response, embedding, model, quality, created_at FROM two");
  exec(db, "COMMIT");
  build_s = ms_since(t0) / 1000;
  t0 = bench::Clock::now();
  exec(db, "INSERT INTO two(two) VALUES('optimize')");
  exec(db, "INSERT INTO one(one) VALUES('optimize')");
  train_s = ms_since(t0) / 1000;
  }

  std::printf("# select_bench: N = %lld, %d queries, candidates = %d, k = %d, dim %d\n",
              static_cast<long long>(n), queries, candidates, k, dim);
  std::printf("build (both tables) %.1f s, training (both) %.1f s\n\n", build_s, train_s);
  std::printf("| query | pass | stage 1 only p50 ms | p99 ms | two-stage p50 ms | p99 ms | p50 overhead | rows |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  const std::string kq = " AND k = " + std::to_string(k);
  // Pass 1 meets most candidates for the first time (their scoring attributes are read from
  // their rows); pass 2 repeats the same requests, as popular requests repeat in serving.
  for (int pass = 1; pass <= 2; ++pass)
  for (bool blob : {false, true}) {
    sqlite3_stmt* a = bench::prepare(db, "SELECT rowid, response FROM one WHERE one MATCH ?1" + kq);
    sqlite3_stmt* b = bench::prepare(db, "SELECT rowid, response FROM two WHERE two MATCH ?1" + kq);
    iccache::HashEmbedder embedder(dim);
    std::vector<double> ta, tb;
    int rows_a = 0, rows_b = 0, r = 0;
    // Warm-up: load both indexes and the page cache the queries touch.
    for (int i = 0; i < (pass == 1 ? 50 : 0); ++i) {
      const std::string q = sample[(i * 7 + 3) % sample.size()].q;
      run_query(db, a, q, false, r);
      run_query(db, b, q, false, r);
    }
    for (int i = 0; i < queries; ++i) {
      std::string q = sample[(i * 13 + 5 + (blob ? 1 : 0)) % sample.size()].q + " (query " + std::to_string(i) + ")";
      if (blob) {  // the query's own embedding, as a float32 BLOB
        const std::vector<float> v = embedder.embed(q);
        q.assign(reinterpret_cast<const char*>(v.data()), sizeof(float) * v.size());
      }
      // Alternate the order so drift of the shared VM hits both alike.
      if (i % 2) {
        ta.push_back(run_query(db, a, q, blob, r)), rows_a += r;
        tb.push_back(run_query(db, b, q, blob, r)), rows_b += r;
      } else {
        tb.push_back(run_query(db, b, q, blob, r)), rows_b += r;
        ta.push_back(run_query(db, a, q, blob, r)), rows_a += r;
      }
    }
    const double pa = bench::percentile(ta, 0.5), pb = bench::percentile(tb, 0.5);
    std::printf("| %s | %s | %.3f | %.3f | %.3f | %.3f | %+.1f%% | %.1f / %.1f |\n", blob ? "vector BLOB" : "TEXT",
                pass == 1 ? "1 (cold)" : "2 (repeat)", pa, bench::percentile(ta, 0.99), pb, bench::percentile(tb, 0.99), 100 * (pb - pa) / pa,
                double(rows_a) / queries, double(rows_b) / queries);
    sqlite3_finalize(a);
    sqlite3_finalize(b);
  }
  sqlite3_close(db);
  return 0;
}
