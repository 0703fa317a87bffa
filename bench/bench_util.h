// Small helpers shared by the SQL benchmarks: a connection with the extension loaded,
// statement execution with fail-fast errors, timing and percentiles.
#pragma once
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;
inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

inline void must(sqlite3* db, int rc, const std::string& what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), sqlite3_errmsg(db));
    std::exit(1);
  }
}

inline void exec(sqlite3* db, const std::string& sql) {
  must(db, sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), sql);
}

inline sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  must(db, sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), sql);
  return s;
}

// Opens (after deleting) a database file and loads extensions (paths without suffix ok).
inline sqlite3* open_fresh(const std::string& path, const std::vector<std::string>& extensions) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
  sqlite3* db = nullptr;
  must(db, sqlite3_open(path.c_str(), &db), "open " + path);
  sqlite3_enable_load_extension(db, 1);
  for (const auto& e : extensions) {
    char* err = nullptr;
    if (sqlite3_load_extension(db, e.c_str(), nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "load %s: %s\n", e.c_str(), err ? err : "?");
      std::exit(1);
    }
  }
  exec(db, "PRAGMA cache_size = -262144");  // 256 MiB page cache
  return db;
}

// The first column of the first row of `sql`, as text ("NULL" for NULL); exits on error.
inline std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = prepare(db, sql);
  must(db, sqlite3_step(s), sql);
  const unsigned char* t = sqlite3_column_text(s, 0);
  std::string out = t ? reinterpret_cast<const char*>(t) : "NULL";
  sqlite3_finalize(s);
  return out;
}

// Command-line argument i as a number (or text), or `fallback` when it is not given.
inline long long arg_int(int argc, char** argv, int i, long long fallback) {
  return argc > i ? std::atoll(argv[i]) : fallback;
}
inline std::string arg_text(int argc, char** argv, int i, const std::string& fallback) {
  return argc > i ? argv[i] : fallback;
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

inline long long file_bytes(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  std::fseek(f, 0, SEEK_END);
  long long n = std::ftell(f);
  std::fclose(f);
  return n;
}

// One GSM8K problem of the shipped sample (examples/data/gsm8k_sample.json).
struct Pair {
  std::string q, a;
};

// The shipped sample, parsed with SQLite's JSON functions on `db`; exits when it is missing.
inline std::vector<Pair> load_sample(sqlite3* db) {
  std::ifstream f(ICCACHE_SOURCE_DIR "/examples/data/gsm8k_sample.json");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string json = ss.str();
  sqlite3_stmt* s = prepare(
      db, "SELECT json_extract(value,'$.question'), json_extract(value,'$.answer') FROM json_each(?)");
  sqlite3_bind_text(s, 1, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
  std::vector<Pair> out;
  while (sqlite3_step(s) == SQLITE_ROW)
    out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                   reinterpret_cast<const char*>(sqlite3_column_text(s, 1))});
  sqlite3_finalize(s);
  if (out.empty()) {
    std::fprintf(stderr, "no sample data at %s\n", ICCACHE_SOURCE_DIR "/examples/data/gsm8k_sample.json");
    std::exit(1);
  }
  return out;
}

// Inserts n examples into `table` (request, response) from the shipped sample: example i is
// problem i mod sample size with " (case i)" appended (every request distinct), and its
// answer. Runs in the caller's transaction (the caller times it).
inline void insert_sample(sqlite3* db, const std::string& table, long long n, const std::vector<Pair>& sample) {
  sqlite3_stmt* ins = prepare(db, "INSERT INTO " + table + "(request, response) VALUES(?, ?)");
  for (long long i = 0; i < n; ++i) {
    const Pair& p = sample[static_cast<size_t>(i) % sample.size()];
    const std::string q = p.q + " (case " + std::to_string(i) + ")";
    sqlite3_bind_text(ins, 1, q.data(), static_cast<int>(q.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, p.a.data(), static_cast<int>(p.a.size()), SQLITE_STATIC);
    must(db, sqlite3_step(ins), "insert into " + table);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
}

}  // namespace bench
