// Inputs the fuzzers (fuzz/) found to misbehave, replayed as plain SQL on every test run
// (and under ASan/UBSan by scripts/sanitize.sh). Their raw inputs are also kept in the
// seed corpora (fuzz/corpus/*/regress-*), so the fuzzers start from them.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;

namespace {

// fuzz_command: 'nprobe=' followed by more than 7 characters went on multiplying after the
// first non-digit, overflowing a signed integer (undefined behaviour).
TEST(FuzzRegressions, LongNprobeCommandIsAnErrorWithoutOverflow) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=4)");
  for (const char* cmd : {"nprobe=router_load_timeOPTI0", "nprobe=99999999999999999999999", "nprobe=12345678"})
    EXPECT_EQ(db.error_of(std::string("INSERT INTO ex(ex) VALUES('") + cmd + "')"),
              std::string("ex: command '") + cmd + "' is not valid; expected nprobe=N with N an integer from 1 to 1048576");
  db.exec("INSERT INTO ex(ex) VALUES('nprobe=1048576')");
}

}  // namespace
