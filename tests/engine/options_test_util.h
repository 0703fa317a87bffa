// Shared by the option tests: the message parse_table_options throws for `args` (or one
// option), "" if none.
#pragma once
#include <string>
#include <vector>

#include "common/error.h"
#include "options/table_options.h"

namespace iccache {

inline std::string error_of(std::vector<std::string> args) {
  try {
    parse_table_options("ex", args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The same for one option ("name=value").
inline std::string option_error(const std::string& arg) { return error_of(std::vector<std::string>{arg}); }

}  // namespace iccache
