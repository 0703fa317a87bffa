// Options of issue 15 item 4: diversity (MMR weight) and dedup (admission): defaults, accepted
// spellings, and the exact error for bad values.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "options_test_util.h"

namespace iccache {
namespace {

TEST(SelectDiversityOptions, Defaults) {
  const TableOptions o = parse_table_options("ex", {});
  EXPECT_EQ(o.select.diversity, 0.0);
  EXPECT_FALSE(o.select.dedup);
}

TEST(SelectDiversityOptions, Accepted) {
  const TableOptions o = parse_table_options("ex", {"diversity=0.3", "dedup='ON'"});
  EXPECT_EQ(o.select.diversity, 0.3);
  EXPECT_TRUE(o.select.dedup);
  EXPECT_FALSE(parse_table_options("ex", {"dedup=off"}).select.dedup);
  EXPECT_EQ(parse_table_options("ex", {"diversity=1"}).select.diversity, 1.0);
}

TEST(SelectDiversityOptions, Refused) {
  EXPECT_EQ(error_of({"diversity=1.5"}),
            "ex: option diversity=1.5 is not valid; expected a weight from 0 (rank by relevance only) to 1 "
            "(only avoid redundancy)");
  EXPECT_EQ(error_of({"diversity=-0.1"}),
            "ex: option diversity=-0.1 is not valid; expected a weight from 0 (rank by relevance only) to 1 "
            "(only avoid redundancy)");
  EXPECT_EQ(error_of({"dedup=yes"}),
            "ex: option dedup=yes is not valid; expected 'on' (one example per request, the better judged kept) "
            "or 'off'");
}

}  // namespace
}  // namespace iccache
