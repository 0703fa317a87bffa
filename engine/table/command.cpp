#include "table/command.h"

#include <string>

#include "common/error.h"
#include "index/training_policy.h"
#include "options/table_options.h"
#include "table/columns.h"

namespace iccache::table {

Command parse_command(std::string_view table, std::string_view text) {
  using Kind = Command::Kind;
  if (text == "forget") return {Kind::kForget};
  if (text == "integrity-check") return {Kind::kIntegrityCheck};
  if (text == "optimize") return {Kind::kOptimize};
  if (text == "optimize-background") return {Kind::kOptimizeBackground};
  if (text == "train") return {Kind::kTrain};
  if (text.substr(0, 7) == "nprobe=") {
    const std::optional<int> n = index::parse_nprobe_command(text.substr(7));
    if (!n)
      throw Error(std::string(table) + ": command '" + std::string(text) +
                  "' is not valid; expected nprobe=N with N an integer from 1 to " + std::to_string(kMaxNprobe));
    return {Kind::kNprobe, *n};
  }
  throw Error(std::string(table) + ": unknown command '" + std::string(text) +
              "'; expected one of: integrity-check, optimize, optimize-background, train, nprobe=N, forget");
}

void check_command_alone(std::string_view table, std::string_view text, int first_value) {
  if (text == "forget" || first_value < 0) return;
  const std::string t(table);
  throw Error(t + ": a command in the " + t + " column cannot come with a value for " + column_name(first_value) +
              "; expected INSERT INTO " + t + "(" + t + ") VALUES('command') alone, and rows in an INSERT of their own");
}

}  // namespace iccache::table
