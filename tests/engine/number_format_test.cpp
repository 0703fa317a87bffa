// The one number spelling of messages, stats keys and JSON results (engine/common/number_format.h).
#include "common/number_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace iccache {
namespace {

TEST(NumberFormat, SixSignificantDigitsNoTrailingZeros) {
  EXPECT_EQ(format_number(0.5), "0.5");
  EXPECT_EQ(format_number(1), "1");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(1.0 / 3), "0.333333");
  EXPECT_EQ(format_number(0.35000000000000003), "0.35");  // a threshold grid step
  EXPECT_EQ(format_number(-2.5), "-2.5");
  EXPECT_EQ(format_number(0), "0");
}

TEST(NumberFormat, LargeAndSmallUseExponents) {
  EXPECT_EQ(format_number(1e6), "1e+06");
  EXPECT_EQ(format_number(123456), "123456");
  EXPECT_EQ(format_number(1234567), "1.23457e+06");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::max()), "-1.79769e+308");
}

TEST(NumberFormat, NonFinite) {
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_number(std::nan("")), "nan");
}

}  // namespace
}  // namespace iccache
