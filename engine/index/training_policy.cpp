#include "index/training_policy.h"

#include <algorithm>

#include "options/option_parse.h"
#include "options/table_options.h"

namespace iccache::index {

bool training_due(int64_t n, int64_t trained_n, int ivf_min) {
  return trained_n == 0 ? n >= ivf_min : n >= 4 * trained_n;
}

DueFigures due_figures(int64_t n, int64_t trained_n, int ivf_min, int64_t stored_since) {
  DueFigures f;
  f.due = training_due(n, trained_n, ivf_min);
  f.new_examples = std::max<int64_t>(0, n - trained_n);
  if (f.due && stored_since > 0) f.due_since = stored_since;
  return f;
}

int effective_nprobe(int64_t command, int option, int tuned) {
  if (command > 0) return static_cast<int>(command);
  if (option > 0) return option;
  return tuned > 0 ? tuned : 1;
}

std::optional<int> parse_nprobe_command(std::string_view digits) {
  // At most 7 characters, as before this moved here: "00000001" stays refused.
  if (digits.size() > 7) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  int64_t n = 0;
  if (!options::parse_whole(digits, n) || n < 1 || n > kMaxNprobe) return std::nullopt;
  return static_cast<int>(n);
}

}  // namespace iccache::index
