// Long texts (issue 11 item 9): peak RSS growth and time of an INSERT and a MATCH of one
// text of 1, 10 and 50 MB (or the sizes given as arguments, in MB), and the RSS left after
// the call, in one process with the extension loaded into an in-memory database.
//   build/bench/long_text_bench [MB ...]
// Two texts per size: "prose" (words from a 5,000-word vocabulary, numbers) and "random"
// (random letter strings: every character n-gram new, the worst case for the embedder's
// count table). Peak growth is VmHWM after `echo 5 > /proc/self/clear_refs` minus VmRSS
// before the call.
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "../tests/common/rss.h"
#include "bench_util.h"

namespace {

using iccache_test::status_kb;

std::string make_text(size_t bytes, bool random_words, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> vocab;
  for (int i = 0; i < 5000; ++i) {
    std::string w;
    const int len = 2 + static_cast<int>(rng() % 9);
    for (int j = 0; j < len; ++j) w += static_cast<char>('a' + rng() % 26);
    vocab.push_back(w);
  }
  std::string out;
  out.reserve(bytes + 16);
  while (out.size() < bytes) {
    if (random_words) {
      const int len = 3 + static_cast<int>(rng() % 8);
      for (int j = 0; j < len; ++j) out += static_cast<char>('a' + rng() % 26);
    } else if (rng() % 10 == 0) {
      out += std::to_string(rng() % 100000);
    } else {
      out += vocab[rng() % vocab.size()];
    }
    out += rng() % 12 == 0 ? ". " : " ";
  }
  out.resize(bytes);
  return out;
}

struct Figures {
  double ms;
  long peak_mb, after_mb;
};

template <class Fn>
Figures measure(Fn&& fn) {
  const long before = status_kb("VmRSS");
  iccache_test::reset_peak_rss();
  auto t0 = bench::Clock::now();
  fn();
  const double ms = bench::ms_since(t0);
  return {ms, (status_kb("VmHWM") - before) / 1024, (status_kb("VmRSS") - before) / 1024};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::stod(argv[i]));
  if (sizes.empty()) sizes = {1, 10, 50};
  if (!iccache_test::reset_peak_rss()) {
    std::fprintf(stderr, "cannot reset the peak RSS (/proc/self/clear_refs)\n");
    return 1;
  }
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_enable_load_extension(db, 1);
  bench::must(db, sqlite3_load_extension(db, ICCACHE_EXT_PATH, nullptr, nullptr), "load");
  bench::exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=256)");
  bench::exec(db, "INSERT INTO ex(request, response) VALUES('warm up', 'ok')");
  sqlite3_stmt* ins = bench::prepare(db, "INSERT INTO ex(request, response) VALUES(?1, 'answer')");
  sqlite3_stmt* sel = bench::prepare(db, "SELECT count(*) FROM ex WHERE ex MATCH ?1 AND k = 5");
  std::printf("%-7s %6s | %9s %9s %9s | %9s %9s %9s\n", "text", "MB", "insert ms", "peak MB",
              "after MB", "match ms", "peak MB", "after MB");
  for (double mb : sizes) {
    for (bool random_words : {false, true}) {
      std::string text = make_text(static_cast<size_t>(mb * 1e6), random_words, 42);
      Figures a = measure([&] {
        sqlite3_bind_text(ins, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
        bench::must(db, sqlite3_step(ins), "insert");
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
      });
      Figures m = measure([&] {
        sqlite3_bind_text(sel, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
        bench::must(db, sqlite3_step(sel), "match");
        sqlite3_reset(sel);
        sqlite3_clear_bindings(sel);
      });
      std::printf("%-7s %6.0f | %9.0f %9ld %9ld | %9.0f %9ld %9ld\n", random_words ? "random" : "prose",
                  mb, a.ms, a.peak_mb, a.after_mb, m.ms, m.peak_mb, m.after_mb);
      std::fflush(stdout);
    }
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(sel);
  sqlite3_close(db);
  return 0;
}
