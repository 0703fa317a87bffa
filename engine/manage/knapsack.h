// 0/1 knapsack for eviction: keep the subset of items of maximum total value whose total
// weight fits the capacity.
//
// Small instances (at most kExactItems items) are solved exactly by dynamic programming
// over the Pareto frontier of (weight, value) pairs. Larger ones use greedy by value
// density with the best-single-item guard:
//   1. sort by value/weight, best first; take items in that order while they fit, then keep
//      scanning and take any later item that still fits;
//   2. if one item alone (that fits) is worth more than everything greedy took, keep just it.
// Bound: let c be the first item in density order that did not fit. The LP relaxation
// gives U = value(items before c) + value(c) * (room left before c) / weight(c) >= OPT, so
//   result >= U - value(c) >= OPT - value(c)   and   result >= OPT / 2.
// The result carries U, so a caller can report the certified gap (U - value) / U. In a cache
// where each example holds a small share of the total value the greedy loses at most one
// example's worth. Both solvers finally fill any room left with the remaining items in
// density order, so worthless items are kept rather than evicted when there is room.
// Ties in density go to the lighter item, then the lower index.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iccache::manage {

struct KnapsackItem {
  double value = 0;    // >= 0, finite
  int64_t weight = 0;  // >= 0
};

struct KnapsackResult {
  std::vector<size_t> keep;  // indices into the items, ascending
  double value = 0;          // total value kept
  int64_t weight = 0;        // total weight kept (<= capacity)
  double upper_bound = 0;    // >= the optimum (equal to it when exact)
  bool exact = false;        // solved by the DP
};

constexpr size_t kExactItems = 20;

// Exact or greedy as described above. Items of weight 0 are always kept; capacity >= 0.
KnapsackResult solve_knapsack(const std::vector<KnapsackItem>& items, int64_t capacity);

// The two solvers, exposed for tests and benchmarks.
KnapsackResult knapsack_exact(const std::vector<KnapsackItem>& items, int64_t capacity);
KnapsackResult knapsack_greedy(const std::vector<KnapsackItem>& items, int64_t capacity);

}  // namespace iccache::manage
