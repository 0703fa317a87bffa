// Cost of encryption at rest (docs/privacy.md): the same work on a SQLCipher 4 file with and
// without a key: insert the GSM8K sample pairs (one transaction), then answer MATCH queries
// on a fresh connection (pages decrypted as they are read), then a full scan.
//
//   build/bench/sqlcipher_bench [queries=500]   (built when SQLCipher is, tests/CMakeLists.txt)
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "bench_util.h"

namespace {

double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

sqlite3* open_file(const std::string& path, const char* key) {
  sqlite3* db = nullptr;
  bench::must(db, sqlite3_open(path.c_str(), &db), "open");
  if (key) bench::exec(db, std::string("PRAGMA key = '") + key + "'");
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, ICCACHE_EXT_PATH, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "load: %s\n", err ? err : "?");
    std::exit(1);
  }
  bench::exec(db, "PRAGMA cache_size = -2000");  // the default 2 MB page cache
  return db;
}

void run(const char* label, const char* key, const std::vector<bench::Pair>& pairs, int queries) {
  const std::string path = "/tmp/iccache_sqlcipher_bench.db";
  for (const char* s : {"", "-wal", "-shm", "-journal"}) std::remove((path + s).c_str());
  sqlite3* db = open_file(path, key);
  bench::exec(db, "PRAGMA journal_mode = WAL");
  bench::exec(db, "CREATE VIRTUAL TABLE ex USING iccache()");
  sqlite3_stmt* ins = bench::prepare(db, "INSERT INTO ex(request, response) VALUES(?, ?)");
  double t0 = cpu_ms();
  bench::exec(db, "BEGIN");
  for (const auto& p : pairs) {
    sqlite3_bind_text(ins, 1, p.q.data(), static_cast<int>(p.q.size()), SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, p.a.data(), static_cast<int>(p.a.size()), SQLITE_STATIC);
    bench::must(db, sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
  }
  bench::exec(db, "COMMIT");
  bench::exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  const double insert_ms = cpu_ms() - t0;
  sqlite3_finalize(ins);
  sqlite3_close(db);

  db = open_file(path, key);  // cold: every page read is decrypted once
  sqlite3_stmt* q = bench::prepare(db, "SELECT rowid, response FROM ex WHERE ex MATCH ? AND k = 5");
  t0 = cpu_ms();
  for (int i = 0; i < queries; ++i) {
    const auto& p = pairs[(i * 7919) % pairs.size()];
    sqlite3_bind_text(q, 1, p.q.data(), static_cast<int>(p.q.size()), SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
    }
    sqlite3_reset(q);
  }
  const double match_ms = cpu_ms() - t0;
  sqlite3_finalize(q);
  t0 = cpu_ms();
  bench::exec(db, "SELECT sum(length(request) + length(response)) FROM ex");
  const double scan_ms = cpu_ms() - t0;
  sqlite3_close(db);
  std::printf("%-10s insert %zu pairs %7.1f ms (%5.1f us each)  %d MATCH k=5 %7.1f ms (%5.1f us each)"
              "  full scan %6.1f ms  file %lld KB\n",
              label, pairs.size(), insert_ms, insert_ms * 1e3 / pairs.size(), queries, match_ms,
              match_ms * 1e3 / queries, scan_ms, bench::file_bytes(path) / 1024);
  for (const char* s : {"", "-wal", "-shm", "-journal"}) std::remove((path + s).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const int queries = argc > 1 ? std::atoi(argv[1]) : 500;
  sqlite3* mem = nullptr;
  sqlite3_open(":memory:", &mem);
  const std::vector<bench::Pair> pairs = bench::load_sample(mem);
  sqlite3_close(mem);
  std::printf("SQLite %s, CPU time of the process\n", sqlite3_libversion());
  for (int r = 0; r < 2; ++r) {  // twice each, alternating: the second pair is the one to read
    run("plain", nullptr, pairs, queries);
    run("encrypted", "bench-key", pairs, queries);
  }
  return 0;
}
