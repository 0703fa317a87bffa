#include "common/number_format.h"

#include <cstdio>

namespace iccache {

std::string format_number(double v) {
  char buf[32];  // %g of any double: at most 13 characters ("-1.23457e+308")
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace iccache
