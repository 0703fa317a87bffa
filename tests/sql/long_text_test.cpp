// Issue 11 item 9: long texts. Embedding a 10 MB text grows the peak RSS by far less than
// 300 MB (it took 1.66 GB, kept until the connection closed); only the first 2 MB are
// embedded (HashEmbedder::kMaxEmbedBytes), the whole text is stored and returned.
// Timing lives in bench/long_text_bench.cpp (docs/reliability.md), not here.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "../common/rss.h"
#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::status_kb;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's quarantine and shadow memory distort RSS
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::string words(size_t bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(bytes + 16);
  while (out.size() < bytes) {
    const int len = 3 + static_cast<int>(rng() % 8);
    for (int j = 0; j < len; ++j) out += static_cast<char>('a' + rng() % 26);
    out += ' ';
  }
  out.resize(bytes);
  return out;
}

TEST(LongText, TenMegabytesPeakWellUnder300MB) {
  if (kSanitized) GTEST_SKIP() << "RSS under AddressSanitizer says nothing about the product";
  if (!iccache_test::reset_peak_rss()) GTEST_SKIP() << "cannot reset the peak RSS here";
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=256)");
  db.exec("INSERT INTO ex(request, response) VALUES('warm up', 'ok')");
  const std::string text = words(10'000'000, 7);  // random words: few repeated n-grams
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT count(*) FROM ex WHERE ex MATCH ?1 AND k = 2", -1, &s, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(s, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  const long before = status_kb("VmRSS");
  iccache_test::reset_peak_rss();
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW) << sqlite3_errmsg(db.get());
  const long peak_mb = (status_kb("VmHWM") - before) / 1024;
  sqlite3_finalize(s);
  EXPECT_LT(peak_mb, 300) << "peak RSS growth of a MATCH on a 10 MB text";
  EXPECT_GT(status_kb("VmHWM"), 0);
}

TEST(LongText, OnlyTheFirstTwoMegabytesAreEmbeddedButAllIsStored) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, selection='similarity')");
  std::string head;
  while (head.size() < (2u << 20)) head += "the quick brown fox " + std::to_string(head.size() % 977) + " ";
  head.resize(2u << 20);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "INSERT INTO ex(request, response) VALUES(?1, 'r')", -1, &s, nullptr),
            SQLITE_OK);
  for (const char* tail : {" alpha beta gamma", " something else entirely"}) {
    const std::string text = head + tail;
    sqlite3_bind_text(s, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(db.get());
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  EXPECT_EQ(db.scalar("SELECT group_concat(length(request)) FROM ex"),
            std::to_string(head.size() + 17) + "," + std::to_string(head.size() + 24));
  EXPECT_EQ(db.scalar("SELECT a.embedding = b.embedding FROM ex a, ex b WHERE a.rowid = 1 AND b.rowid = 2"), "1");
}

}  // namespace
