// The replay queue: examples in descending expected gain (example_stats.h), cut where the
// expected gain no longer exceeds the cost of one replay.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "manage/example_stats.h"

namespace iccache::manage {

struct ReplayEntry {
  int64_t id = 0;
  double expected_gain = 0;
};

// The entry of example id from its stored gain, recent_uses and decay_at (the columns of
// T_data), its expected gain read at time now.
ReplayEntry replay_entry(int64_t id, double gain, double recent_uses, double decay_at, double now,
                         const StatsParams& p);

// Orders entries by expected gain, highest first, ties by ascending id; with a cost, keeps
// only entries whose expected gain is > cost (replay while it pays); with a limit, returns
// at most that many (partial sort: O(n log limit)).
std::vector<ReplayEntry> rank_for_replay(std::vector<ReplayEntry> entries,
                                         std::optional<double> cost,
                                         std::optional<size_t> limit);

}  // namespace iccache::manage
