// Cost of encryption at rest (docs/privacy.md): the same work on a file of the same SQLCipher
// 4 library with and without a key, so the difference is the cipher alone (AES-256-CBC and
// an HMAC-SHA512 per 4 KB page, PBKDF2 at open): insert the GSM8K sample pairs in one
// transaction, then `commits` more one transaction each (WAL, synchronous=NORMAL: each commit
// encrypts its WAL frames, no fsync), then open the file again (key derivation) and answer
// MATCH queries (pages decrypted as they are read), then a full scan of the texts.
//
//   build/bench/sqlcipher_bench [queries=500] [commits=500] [rounds=3]
//   (built when SQLCipher is: tests/CMakeLists.txt, scripts/install-sqlcipher.sh)
//
// CPU time of the process (the figures come from a shared machine, where wall time measures
// the other processes too); best of `rounds`, plain and encrypted alternating.
#include <algorithm>
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

struct Figures {
  double insert_ms = 1e300, commit_ms = 1e300, open_ms = 1e300, match_ms = 1e300, scan_ms = 1e300;
  long long file_kb = 0;
  void keep_best(const Figures& f) {
    insert_ms = std::min(insert_ms, f.insert_ms);
    commit_ms = std::min(commit_ms, f.commit_ms);
    open_ms = std::min(open_ms, f.open_ms);
    match_ms = std::min(match_ms, f.match_ms);
    scan_ms = std::min(scan_ms, f.scan_ms);
    file_kb = f.file_kb;
  }
};

void insert(sqlite3* db, sqlite3_stmt* ins, const bench::Pair& p) {
  sqlite3_bind_text(ins, 1, p.q.data(), static_cast<int>(p.q.size()), SQLITE_STATIC);
  sqlite3_bind_text(ins, 2, p.a.data(), static_cast<int>(p.a.size()), SQLITE_STATIC);
  bench::must(db, sqlite3_step(ins), "insert");
  sqlite3_reset(ins);
}

Figures run(const char* key, const std::vector<bench::Pair>& pairs, int queries, int commits) {
  Figures f;
  const std::string path = "/tmp/iccache_sqlcipher_bench.db";
  for (const char* s : {"", "-wal", "-shm", "-journal"}) std::remove((path + s).c_str());
  sqlite3* db = open_file(path, key);
  bench::exec(db, "PRAGMA journal_mode = WAL");
  bench::exec(db, "PRAGMA synchronous = NORMAL");
  bench::exec(db, "CREATE VIRTUAL TABLE ex USING iccache()");
  sqlite3_stmt* ins = bench::prepare(db, "INSERT INTO ex(request, response) VALUES(?, ?)");
  double t0 = cpu_ms();
  bench::exec(db, "BEGIN");
  for (const auto& p : pairs) insert(db, ins, p);
  bench::exec(db, "COMMIT");
  f.insert_ms = cpu_ms() - t0;
  t0 = cpu_ms();
  for (int i = 0; i < commits; ++i) {
    bench::Pair p = pairs[i % pairs.size()];
    p.q += " (again " + std::to_string(i) + ")";
    insert(db, ins, p);
  }
  f.commit_ms = cpu_ms() - t0;
  sqlite3_finalize(ins);
  bench::exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);

  // Cold: a new connection derives the key, reads the schema and loads the index.
  t0 = cpu_ms();
  db = open_file(path, key);
  bench::exec(db, "SELECT rowid FROM ex WHERE ex MATCH 'warm up' AND k = 1");
  f.open_ms = cpu_ms() - t0;
  sqlite3_stmt* q = bench::prepare(db, "SELECT rowid, response FROM ex WHERE ex MATCH ? AND k = 5");
  t0 = cpu_ms();
  for (int i = 0; i < queries; ++i) {
    const auto& p = pairs[(i * 7919) % pairs.size()];
    sqlite3_bind_text(q, 1, p.q.data(), static_cast<int>(p.q.size()), SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
    }
    sqlite3_reset(q);
  }
  f.match_ms = cpu_ms() - t0;
  sqlite3_finalize(q);
  t0 = cpu_ms();
  bench::exec(db, "SELECT sum(length(request) + length(response)) FROM ex");
  f.scan_ms = cpu_ms() - t0;
  sqlite3_close(db);
  f.file_kb = bench::file_bytes(path) / 1024;
  for (const char* s : {"", "-wal", "-shm", "-journal"}) std::remove((path + s).c_str());
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const int queries = static_cast<int>(bench::arg_int(argc, argv, 1, 500));
  const int commits = static_cast<int>(bench::arg_int(argc, argv, 2, 500));
  const int rounds = static_cast<int>(bench::arg_int(argc, argv, 3, 3));
  sqlite3* mem = nullptr;
  sqlite3_open(":memory:", &mem);
  const std::vector<bench::Pair> pairs = bench::load_sample(mem);
  sqlite3_close(mem);
  Figures plain, enc;
  for (int r = 0; r < rounds; ++r) {
    plain.keep_best(run(nullptr, pairs, queries, commits));
    enc.keep_best(run("bench-passphrase", pairs, queries, commits));
  }
  std::printf("SQLite %s (SQLCipher 4), same library for both files; CPU ms of the process, best of %d\n",
              sqlite3_libversion(), rounds);
  std::printf("%-44s %12s %12s %8s\n", "", "plain file", "encrypted", "cost");
  auto row = [](const char* what, double a, double b, double per) {
    std::printf("%-44s %9.1f ms %9.1f ms %+7.1f%%   (%.1f -> %.1f us each)\n", what, a, b,
                100 * (b - a) / a, a * 1e3 / per, b * 1e3 / per);
  };
  char label[96];
  std::snprintf(label, sizeof label, "insert %zu pairs, one transaction", pairs.size());
  row(label, plain.insert_ms, enc.insert_ms, static_cast<double>(pairs.size()));
  std::snprintf(label, sizeof label, "insert %d pairs, one commit each", commits);
  row(label, plain.commit_ms, enc.commit_ms, commits);
  row("open + first MATCH (PBKDF2, schema, index)", plain.open_ms, enc.open_ms, 1);
  std::snprintf(label, sizeof label, "%d MATCH k=5 (2 MB page cache)", queries);
  row(label, plain.match_ms, enc.match_ms, queries);
  row("full scan of the texts", plain.scan_ms, enc.scan_ms, 1);
  std::printf("file size: %lld KB plain, %lld KB encrypted\n", plain.file_kb, enc.file_kb);
  return 0;
}
