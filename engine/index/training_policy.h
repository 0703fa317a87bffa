// When the IVF index trains and which nprobe a query uses: the table's policy, kept out of
// the SQLite glue so that the INSERT path, a background trainer and ex_stats apply one rule.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace iccache::index {

// Training is due when the table first holds ivf_min examples (trained_n = 0: never
// trained), then whenever it has grown to 4x the examples of the last training: K =
// round(sqrt(N)) lists stay near their best size, and retraining costs O(N) amortised.
bool training_due(int64_t n, int64_t trained_n, int ivf_min);

// What ex_stats shows of it, for an off-peak job deciding whether to run 'optimize': for n
// examples, trained_n at the last training and `stored_since` (T_state
// 'training_due_since': when a write first found training due, 0 when none).
struct DueFigures {
  bool due = false;
  int64_t new_examples = 0;          // since the last training (none when fewer now)
  // Only while due: a time stored before deletes took the table back under its threshold
  // is not shown.
  std::optional<int64_t> due_since;
};
DueFigures due_figures(int64_t n, int64_t trained_n, int ivf_min, int64_t stored_since);

// The nprobe of a query without its own: the 'nprobe=N' command (> 0 when set) wins, then
// the CREATE option (> 0 when given), then the value tuned at the last training (> 0 when
// trained), else 1.
int effective_nprobe(int64_t command, int option, int tuned);

// The N of INSERT INTO ex(ex) VALUES('nprobe=N'): an integer from 1 to kMaxNprobe written
// with at most 7 digits and nothing else (no sign, no spaces); nullopt otherwise.
std::optional<int> parse_nprobe_command(std::string_view digits);

}  // namespace iccache::index
