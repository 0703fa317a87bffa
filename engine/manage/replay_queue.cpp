#include "manage/replay_queue.h"

#include <algorithm>

namespace iccache::manage {

ReplayEntry replay_entry(int64_t id, double gain, double recent_uses, double decay_at, double now,
                         const StatsParams& p) {
  ExampleStats s;
  s.gain = gain;
  s.recent_uses = recent_uses;
  s.decay_at = decay_at;
  return {id, expected_gain(s, now, p)};
}

std::vector<ReplayEntry> rank_for_replay(std::vector<ReplayEntry> entries,
                                         std::optional<double> cost,
                                         std::optional<size_t> limit) {
  if (cost) {
    std::erase_if(entries, [&](const ReplayEntry& e) { return !(e.expected_gain > *cost); });
  }
  auto before = [](const ReplayEntry& a, const ReplayEntry& b) {
    return a.expected_gain != b.expected_gain ? a.expected_gain > b.expected_gain : a.id < b.id;
  };
  const size_t n = limit ? std::min(*limit, entries.size()) : entries.size();
  std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(n), entries.end(), before);
  entries.resize(n);
  return entries;
}

}  // namespace iccache::manage
