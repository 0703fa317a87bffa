// Limits (docs/reliability.md): very large texts, the largest dimension, and running out
// of memory while training, which must be an SQL error that leaves the table intact.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::TempFile;

namespace {

TEST(Limits, TenMegabyteTexts) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, selection='similarity')");
  // A 1 MB request of varied words (compressible, as long prompts are; it is embedded) and
  // a 10 MiB response of random hex digits (stored raw: lz4 cannot shrink it enough).
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(1,"
          " (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)"
          "  SELECT group_concat('w' || (i % 997), ' ') FROM n),"
          " (SELECT hex(randomblob(5242880))))");
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(2, 'w1 w2 w3', 'short')");
  EXPECT_EQ(db.scalar("SELECT length(response) FROM ex WHERE rowid = 1"), "10485760");
  EXPECT_EQ(db.scalar("SELECT length(request) || ' ' || substr(request, 1, 14) FROM ex WHERE rowid = 1"),
            "977891 w1 w2 w3 w4 w5");
  EXPECT_EQ(db.scalar("SELECT request_enc || response_enc FROM ex_data WHERE id = 1"), "10");  // lz4, raw
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'w5 w6 w7 w8' AND k = 2 AND nprobe = 1"), "2");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(Limits, Dimension4096) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4096, ivf_min=40, quantizer='sq8', seed=1, selection='similarity', text_index='vector')");
  db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 48)"
          " INSERT INTO ex(rowid, request, response) SELECT i, 'question number ' || i || ' about ' || (i * 7), 'a' FROM n");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_centroids"), "6");  // trained at 40: round(sqrt(40))
  EXPECT_EQ(db.scalar("SELECT length(embedding) FROM ex WHERE rowid = 1"), "16384");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'question number 17 about 119' AND k = 1 AND nprobe = 6"), "17");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_NE(db.error_of("CREATE VIRTUAL TABLE big USING iccache(dim=4097)"), "");
}

#if defined(__SANITIZE_ADDRESS__)
#define ICCACHE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ICCACHE_ASAN 1
#endif
#endif

// Address-space size of this process, in bytes.
long long address_space() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long long pages = 0;
  if (f) {
    if (std::fscanf(f, "%lld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return pages * sysconf(_SC_PAGESIZE);
}

TEST(Limits, OutOfMemoryDuringTrainingIsAnSqlError) {
#ifdef ICCACHE_ASAN
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: RLIMIT_AS cannot apply";
#else
  TempFile file;
  {
    Db db(file.path());
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=1024, ivf_min=1000000, seed=1)");
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)"
            " INSERT INTO ex(rowid, request, response) SELECT i, 'request ' || i || ' of ' || (i % 77), 'a' FROM n");
  }
  // In a child, so that a failure to survive cannot take the test runner down: training
  // needs 12000 x 1024 floats (48 MiB) at once; the child gets 24 MiB more than it has.
  pid_t pid = fork();
  if (pid == 0) {
    int code = 10;
    {
      Db db(file.path());
      db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'request 5' AND k = 1");  // warm up
      rlimit old{};
      getrlimit(RLIMIT_AS, &old);
      rlimit low = old;
      low.rlim_cur = static_cast<rlim_t>(address_space() + (24 << 20));
      setrlimit(RLIMIT_AS, &low);
      const std::string err = db.error_of("INSERT INTO ex(ex) VALUES('optimize')");
      setrlimit(RLIMIT_AS, &old);
      if (err == "out of memory") {
        code = db.error_of("INSERT INTO ex(ex) VALUES('integrity-check')").empty() ? 0 : 11;
        if (code == 0 && db.scalar("SELECT count(*) FROM ex_centroids") != "0") code = 12;
      } else {
        std::fprintf(stderr, "optimize answered: '%s'\n", err.c_str());
      }
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Db db(file.path());
  db.exec("INSERT INTO ex(ex) VALUES('optimize')");  // with memory, the same training works
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_centroids"), "110");
#endif
}

}  // namespace
