// Knapsack: the DP equals brute force on random instances of up to 20 items; the greedy
// stays within its documented bound; eviction plans honour budgets and pins.
#include <gtest/gtest.h>

#include <random>

#include "manage/eviction.h"
#include "manage/knapsack.h"

namespace iccache::manage {
namespace {

// Every subset, visited in Gray-code order so each step flips one item: O(2^n).
double brute_force(const std::vector<KnapsackItem>& items, int64_t capacity) {
  const uint32_t n = static_cast<uint32_t>(items.size());
  double best = 0, v = 0;
  int64_t w = 0;
  uint32_t set = 0;
  for (uint32_t step = 1; step < (1u << n); ++step) {
    const uint32_t i = static_cast<uint32_t>(__builtin_ctz(step));
    set ^= 1u << i;
    const double sign = (set >> i & 1) ? 1.0 : -1.0;
    w += static_cast<int64_t>(sign) * items[i].weight;
    v += sign * items[i].value;
    if (w <= capacity) best = std::max(best, v);
  }
  return best;
}

std::vector<KnapsackItem> random_items(std::mt19937_64& rng, size_t n) {
  std::uniform_int_distribution<int64_t> weight(0, 1000);
  std::uniform_real_distribution<double> value(0, 10);
  std::vector<KnapsackItem> items(n);
  for (auto& it : items) {
    it.weight = weight(rng);
    it.value = rng() % 7 == 0 ? 0.0 : value(rng);  // some worthless items
  }
  return items;
}

// n random items and a capacity drawn from 0 to their total weight.
struct Instance {
  std::vector<KnapsackItem> items;
  int64_t cap;
};
Instance random_instance(std::mt19937_64& rng, size_t n) {
  Instance in{random_items(rng, n), 0};
  int64_t total = 0;
  for (const auto& it : in.items) total += it.weight;
  in.cap = static_cast<int64_t>(rng() % static_cast<uint64_t>(total + 1));
  return in;
}

// 300 random instances of 1 to 20 items drawn from `seed`, each given to check(items, cap,
// trial).
template <class Check>
void for_random_instances(uint64_t seed, Check check) {
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const Instance in = random_instance(rng, 1 + trial % 20);
    check(in.items, in.cap, trial);
  }
}

void expect_consistent(const std::vector<KnapsackItem>& items, const KnapsackResult& r, int64_t cap) {
  int64_t w = 0;
  double v = 0;
  for (size_t i : r.keep) w += items[i].weight, v += items[i].value;
  EXPECT_EQ(w, r.weight);
  EXPECT_NEAR(v, r.value, 1e-9);
  EXPECT_LE(r.weight, cap);
  EXPECT_GE(r.upper_bound + 1e-9, r.value);
}

TEST(Knapsack, ExactEqualsBruteForceOnRandomInstances) {
  for_random_instances(42, [](const std::vector<KnapsackItem>& items, int64_t cap, int trial) {
    const KnapsackResult r = knapsack_exact(items, cap);
    expect_consistent(items, r, cap);
    EXPECT_NEAR(r.value, brute_force(items, cap), 1e-9) << "trial " << trial;
    EXPECT_TRUE(r.exact);
    EXPECT_TRUE(solve_knapsack(items, cap).exact);  // n <= 20 goes to the DP
  });
}

TEST(Knapsack, GreedyStaysWithinItsBound) {
  for_random_instances(7, [](const std::vector<KnapsackItem>& items, int64_t cap, int trial) {
    const double opt = brute_force(items, cap);
    const KnapsackResult g = knapsack_greedy(items, cap);
    expect_consistent(items, g, cap);
    double vmax = 0;
    for (auto& it : items) vmax = std::max(vmax, it.value);
    EXPECT_LE(g.value, opt + 1e-9);
    EXPECT_GE(g.value + 1e-9, opt / 2) << "trial " << trial;
    EXPECT_GE(g.value + 1e-9, opt - vmax) << "trial " << trial;
    EXPECT_GE(g.upper_bound + 1e-9, opt) << "trial " << trial;  // U really bounds OPT
    EXPECT_GE(g.value + vmax + 1e-9, g.upper_bound) << "trial " << trial;  // U - v(c) <= value
  });
}

TEST(Knapsack, BestSingleItemGuard) {
  // Greedy by density takes the small dense item and then cannot fit the big one.
  std::vector<KnapsackItem> items = {{2.0, 1}, {90.0, 100}};
  const KnapsackResult g = knapsack_greedy(items, 100);
  EXPECT_EQ(g.keep, (std::vector<size_t>{1}));
  EXPECT_DOUBLE_EQ(g.value, 90.0);
  EXPECT_DOUBLE_EQ(g.upper_bound, 2.0 + 90.0 * 99 / 100);
}

TEST(Knapsack, ZeroWeightItemsAreAlwaysKept) {
  std::vector<KnapsackItem> items = {{0.0, 0}, {5.0, 10}, {1.0, 0}};
  EXPECT_EQ(knapsack_exact(items, 0).keep, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(knapsack_greedy(items, 0).keep, (std::vector<size_t>{0, 2}));
}

TEST(Knapsack, RoomLeftIsFilledWithWorthlessItems) {
  std::vector<KnapsackItem> items = {{0.0, 10}, {5.0, 10}, {0.0, 10}, {0.0, 30}};
  EXPECT_EQ(knapsack_exact(items, 30).keep, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(knapsack_greedy(items, 30).keep, (std::vector<size_t>{0, 1, 2}));
}

TEST(Eviction, EquallyValuableExamplesKeepTheNewest) {
  std::vector<EvictionCandidate> c;
  for (int i = 1; i <= 30; ++i) c.push_back({i, 100, 0.0, double(i), false});  // all worthless
  const EvictionPlan p = plan_eviction(c, 1000, 10);
  std::vector<int64_t> expect;
  for (int i = 1; i <= 20; ++i) expect.push_back(i);
  EXPECT_EQ(p.evict, expect);
}

TEST(Eviction, KeepsTheMostValuablePerByteAndHonoursPins) {
  const double h = 100;
  // id 1: value 4 at t=0 -> 1 at t=200 (two half-lives); id 2: 2 at t=200; id 3: 3 at t=200
  std::vector<EvictionCandidate> c = {
      {1, 100, 4.0, 0, false}, {2, 100, 2.0, 200, false}, {3, 100, 3.0, 200, false}};
  EvictionPlan p = plan_eviction(c, 200, h);
  EXPECT_EQ(p.evict, (std::vector<int64_t>{1}));
  EXPECT_EQ(p.kept_bytes, 200);
  EXPECT_EQ(p.freed_bytes, 100);
  EXPECT_DOUBLE_EQ(p.kept_value, 5.0);
  EXPECT_DOUBLE_EQ(p.total_value, 6.0);
  EXPECT_TRUE(p.exact);
  c[0].pinned = true;  // the example just inserted stays, whatever its value
  p = plan_eviction(c, 200, h);
  EXPECT_EQ(p.evict, (std::vector<int64_t>{2}));
  p = plan_eviction(c, 50, h);  // pins alone exceed the budget: the rest goes
  EXPECT_EQ(p.evict, (std::vector<int64_t>{2, 3}));
  p = plan_eviction(c, 300, h);  // everything fits
  EXPECT_TRUE(p.evict.empty());
  EXPECT_EQ(p.kept_bytes, 300);
}

TEST(Eviction, ChoiceDoesNotDependOnWhenItRuns) {
  std::mt19937_64 rng(3);
  std::vector<EvictionCandidate> c;
  for (int i = 0; i < 200; ++i)
    c.push_back({i, 50 + static_cast<int64_t>(rng() % 500), double(rng() % 10), double(rng() % 1000), false});
  const EvictionPlan a = plan_eviction(c, 20000, 300);
  for (auto& x : c) x.stamp += 5000, x.value *= 1.0;  // all stamps shifted together
  const EvictionPlan b = plan_eviction(c, 20000, 300);
  EXPECT_EQ(a.evict, b.evict);
  EXPECT_LE(a.kept_bytes, 20000);
  EXPECT_FALSE(a.exact);
  EXPECT_GE(a.upper_bound, a.kept_value);
}

}  // namespace
}  // namespace iccache::manage
