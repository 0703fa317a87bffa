#include "manage/knapsack.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace iccache::manage {

namespace {

KnapsackResult take(const std::vector<KnapsackItem>& items, std::vector<size_t> keep) {
  KnapsackResult r;
  std::sort(keep.begin(), keep.end());
  for (size_t i : keep) {
    r.value += items[i].value;
    r.weight += items[i].weight;
  }
  r.keep = std::move(keep);
  return r;
}

// Item indices by value density, best first, without division: a.v / a.w > b.v / b.w  <=>
// a.v * b.w > b.v * a.w (weight-0 items come first). Ties: the lighter item first, then the
// lower index (callers put the items they prefer to keep first).
std::vector<size_t> density_order(const std::vector<KnapsackItem>& items) {
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double lhs = items[a].value * static_cast<double>(items[b].weight);
    const double rhs = items[b].value * static_cast<double>(items[a].weight);
    if (lhs != rhs) return lhs > rhs;
    if (items[a].weight != items[b].weight) return items[a].weight < items[b].weight;
    return a < b;
  });
  return order;
}

// Adds the items not in r that still fit, in density order: never lowers the value, and
// keeps worthless items rather than evicting more than the capacity requires.
void fill_room(const std::vector<KnapsackItem>& items, int64_t capacity, KnapsackResult& r) {
  std::vector<bool> in(items.size(), false);
  for (size_t i : r.keep) in[i] = true;
  int64_t room = capacity - r.weight;
  for (size_t i : density_order(items)) {
    if (in[i] || items[i].weight > room) continue;
    r.keep.push_back(i);
    r.weight += items[i].weight;
    r.value += items[i].value;
    room -= items[i].weight;
  }
  std::sort(r.keep.begin(), r.keep.end());
}

}  // namespace

KnapsackResult knapsack_exact(const std::vector<KnapsackItem>& items, int64_t capacity) {
  if (items.size() > 63) throw std::invalid_argument("knapsack_exact: at most 63 items");
  // Frontier of non-dominated partial solutions, sorted by weight with strictly increasing
  // value; `set` is a bitmask of the items taken.
  struct State {
    int64_t weight;
    double value;
    uint64_t set;
  };
  std::vector<State> frontier{{0, 0.0, 0}}, next, merged;
  std::vector<size_t> keep;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].weight == 0) {  // free: always kept, outside the DP
      keep.push_back(i);
      continue;
    }
    next.clear();
    for (const State& s : frontier)
      if (s.weight + items[i].weight <= capacity)
        next.push_back({s.weight + items[i].weight, s.value + items[i].value, s.set | (uint64_t{1} << i)});
    merged.clear();
    std::merge(frontier.begin(), frontier.end(), next.begin(), next.end(), std::back_inserter(merged),
               [](const State& a, const State& b) {
                 return a.weight != b.weight ? a.weight < b.weight : a.value > b.value;
               });
    frontier.clear();
    for (const State& s : merged)  // drop states no better than a lighter one
      if (frontier.empty() || s.value > frontier.back().value) frontier.push_back(s);
  }
  const State& best = frontier.back();  // heaviest kept state has the highest value
  for (size_t i = 0; i < items.size(); ++i)
    if (best.set >> i & 1) keep.push_back(i);
  KnapsackResult r = take(items, std::move(keep));
  r.upper_bound = r.value;
  fill_room(items, capacity, r);  // only zero-value items can still fit
  r.exact = true;
  return r;
}

KnapsackResult knapsack_greedy(const std::vector<KnapsackItem>& items, int64_t capacity) {
  const std::vector<size_t> order = density_order(items);
  std::vector<size_t> keep;
  int64_t room = capacity;
  double value = 0, bound = -1;
  for (size_t i : order) {
    const KnapsackItem& it = items[i];
    if (it.weight <= room) {
      keep.push_back(i);
      room -= it.weight;
      value += it.value;
    } else if (bound < 0) {  // the critical item: fractional LP bound
      bound = value + it.value * static_cast<double>(room) / static_cast<double>(it.weight);
    }
  }
  if (bound < 0) bound = value;  // everything fit
  // Best-single-item guard.
  size_t best = items.size();
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].weight <= capacity && (best == items.size() || items[i].value > items[best].value))
      best = i;
  KnapsackResult r;
  if (best != items.size() && items[best].value > value) {
    // Weight-0 items cost nothing: keep them alongside the single item.
    std::vector<size_t> single{best};
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].weight == 0 && i != best) single.push_back(i);
    r = take(items, std::move(single));
    fill_room(items, capacity, r);
  } else {
    r = take(items, std::move(keep));
  }
  r.upper_bound = std::max(bound, r.value);
  return r;
}

KnapsackResult solve_knapsack(const std::vector<KnapsackItem>& items, int64_t capacity) {
  return items.size() <= kExactItems ? knapsack_exact(items, capacity)
                                     : knapsack_greedy(items, capacity);
}

}  // namespace iccache::manage
