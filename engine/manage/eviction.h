// Which examples to evict so that the rest fits a byte budget: a 0/1 knapsack (knapsack.h)
// with weight = the example's stored bytes and value = its decayed offload successes.
#pragma once
#include <cstdint>
#include <vector>

namespace iccache {

struct EvictionCandidate {
  int64_t id = 0;
  int64_t bytes = 0;     // weight: the `bytes` column (engine/common/footprint.h)
  double value = 0;      // decayed offload value as of `stamp`
  double stamp = 0;      // seconds since 1970 when `value` was last decayed
  bool pinned = false;   // must be kept (the example an INSERT just wrote)
};

struct EvictionPlan {
  std::vector<int64_t> evict;  // ids, ascending
  int64_t kept_bytes = 0;
  int64_t freed_bytes = 0;
  // Values compared at one time (the latest stamp), so the ratios below are time-free.
  double kept_value = 0;
  double total_value = 0;
  double upper_bound = 0;      // >= the best value any choice could keep (see knapsack.h)
  bool exact = false;          // the knapsack was solved exactly
};

// Keeps a maximum-value subset whose bytes fit `capacity` (pinned examples always kept and
// counted). Values decay to a common time: value * 2^(-(T - stamp) / half_life), T = the
// latest stamp; since every value decays by the same factor from there on, the choice does
// not depend on when eviction runs. When everything fits, nothing is evicted. When the
// pinned examples alone exceed the capacity, every other example is evicted.
EvictionPlan plan_eviction(const std::vector<EvictionCandidate>& candidates, int64_t capacity,
                           double half_life);

}  // namespace iccache
