// Example-manager options of CREATE VIRTUAL TABLE: defaults, accepted forms, exact errors.
#include <gtest/gtest.h>

#include "options_test_util.h"

namespace iccache {
namespace {

TEST(ManageOptions, Defaults) {
  const TableOptions o = parse_table_options("ex", {});
  EXPECT_EQ(o.manage.success_reward, 0.5);
  EXPECT_EQ(o.manage.half_life, 7 * 86400.0);
  EXPECT_EQ(o.manage.ema_alpha, 0.2);
  EXPECT_EQ(o.manage.low_water, 0.9);
}

TEST(ManageOptions, ParsesValuesAndDurations) {
  const TableOptions o = parse_table_options(
      "ex", {"success_reward=0.75", "half_life='12h'", "ema_alpha=1", "low_water=0.5"});
  EXPECT_EQ(o.manage.success_reward, 0.75);
  EXPECT_EQ(o.manage.half_life, 12 * 3600.0);
  EXPECT_EQ(o.manage.ema_alpha, 1.0);
  EXPECT_EQ(o.manage.low_water, 0.5);
  EXPECT_EQ(parse_table_options("ex", {"half_life=90"}).manage.half_life, 90.0);
  EXPECT_EQ(parse_table_options("ex", {"half_life=90s"}).manage.half_life, 90.0);
  EXPECT_EQ(parse_table_options("ex", {"half_life=1.5M"}).manage.half_life, 90.0);
  EXPECT_EQ(parse_table_options("ex", {"half_life=7d"}).manage.half_life, 604800.0);
  EXPECT_EQ(parse_table_options("ex", {"success_reward=0"}).manage.success_reward, 0.0);
}

TEST(ManageOptions, RejectsBadValuesWithFullSentences) {
  EXPECT_EQ(error_of({"success_reward=1.5"}),
            "ex: option success_reward=1.5 is not valid; expected a number from 0 to 1");
  EXPECT_EQ(error_of({"success_reward=nan"}),
            "ex: option success_reward=nan is not valid; expected a number from 0 to 1");
  EXPECT_EQ(error_of({"ema_alpha=0"}),
            "ex: option ema_alpha=0 is not valid; expected a number greater than 0 and at most 1");
  EXPECT_EQ(error_of({"low_water=-1"}),
            "ex: option low_water=-1 is not valid; expected a number greater than 0 and at most 1");
  for (const char* bad : {"0", "-5h", "abc", "h", "10w", "1e999"})
    EXPECT_EQ(error_of({std::string("half_life=") + bad}),
              std::string("ex: option half_life=") + bad +
                  " is not valid; expected a positive duration such as 3600, 90s, 30m, 12h or 7d");
  EXPECT_EQ(error_of({"half_life=1h", "HALF_LIFE=2h"}),
            "ex: option half_life is given more than once; expected each option at most once");
}

}  // namespace
}  // namespace iccache
