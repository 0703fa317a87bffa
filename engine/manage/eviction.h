// Which examples to evict so that the rest fits a byte budget: a 0/1 knapsack (knapsack.h)
// with weight = the example's stored bytes and value = its decayed offload successes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iccache::manage {

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

// Automatic eviction (a table with budget=... or tenant_budget=...): once an INSERT takes
// the total over `budget`, eviction goes down to floor(low_water x budget), so one knapsack
// pass serves the next (1 - low_water) x budget bytes of inserts.
int64_t low_water_capacity(double low_water, int64_t budget);
// The capacity to evict down to once `bytes` are stored under `budget`: the low-water
// capacity when they exceed it, nullopt while they fit.
std::optional<int64_t> eviction_due(int64_t bytes, int64_t budget, double low_water);

// iccache_evict's budget argument: an INTEGER > 0 in bytes, or a size TEXT such as '512KB'
// (options/table_options.h parse_size). `integer` / `text` hold the argument when it has that
// SQL type (both empty for any other type). nullopt when it is not a budget: the caller
// refuses it as "iccache_evict: budget must be <kEvictBudgetExpected>; received <value>".
std::optional<int64_t> evict_budget_arg(std::optional<int64_t> integer, std::optional<std::string_view> text);
inline constexpr std::string_view kEvictBudgetExpected =
    "a positive size in bytes such as 1048576, '512KB', '256MB' or '1.5GB'";

// The budget iccache_evict('T' [, budget [, tenant]]) evicts to: the one given, else for a
// tenant the tenant_budget option, else the budget option. Throws iccache::Error, naming
// `table`, when that option is not set.
int64_t evict_budget(std::string_view table, std::optional<int64_t> given, bool for_tenant,
                     std::optional<int64_t> budget, std::optional<int64_t> tenant_budget);

// iccache_evict's result, one JSON object: what was evicted and freed, what is kept (`kept`
// examples), and the share of the total (recency-weighted) offload value kept next to the
// knapsack's upper bound on it (both 1 when there is no value at all):
// {"evicted":2,"freed_bytes":300,"kept":5,"kept_bytes":700,"value_kept":0.8,"value_bound":0.85,"exact":true}
std::string eviction_json(const EvictionPlan& p, int64_t kept);

// Before an INSERT writes anything: throws iccache::Error, naming `table`, when an example
// of `bytes` is larger than the whole budget or the whole tenant_budget (absent: no limit).
void check_fits_budget(std::string_view table, int64_t bytes, std::optional<int64_t> budget,
                       std::optional<int64_t> tenant_budget);

}  // namespace iccache::manage
