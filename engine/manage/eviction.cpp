#include "manage/eviction.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/number_format.h"

#include "manage/example_stats.h"
#include "manage/knapsack.h"
#include "options/table_options.h"

namespace iccache::manage {

EvictionPlan plan_eviction(const std::vector<EvictionCandidate>& candidates, int64_t capacity,
                           double half_life) {
  EvictionPlan plan;
  double latest = 0;
  int64_t total_bytes = 0;
  for (const EvictionCandidate& c : candidates) {
    latest = std::max(latest, c.stamp);
    total_bytes += c.bytes;
  }
  std::vector<KnapsackItem> items;
  std::vector<size_t> of_item;  // item index -> candidate index
  items.reserve(candidates.size());
  of_item.reserve(candidates.size());
  int64_t room = capacity;
  // Newest first, so that among equally dense examples the knapsack keeps the newer ones
  // (also when old values have decayed to zero).
  std::vector<size_t> by_age(candidates.size());
  for (size_t i = 0; i < by_age.size(); ++i) by_age[i] = i;
  std::sort(by_age.begin(), by_age.end(), [&](size_t a, size_t b) {
    return candidates[a].stamp != candidates[b].stamp ? candidates[a].stamp > candidates[b].stamp
                                                      : candidates[a].id > candidates[b].id;
  });
  for (size_t i : by_age) {
    const EvictionCandidate& c = candidates[i];
    const double v = decay(c.value, c.stamp, latest, half_life);
    plan.total_value += v;
    if (c.pinned) {
      room -= c.bytes;
      plan.kept_bytes += c.bytes;
      plan.kept_value += v;
      continue;
    }
    items.push_back({v, c.bytes});
    of_item.push_back(i);
  }
  if (total_bytes <= capacity) {  // everything fits
    plan.kept_bytes = total_bytes;
    plan.kept_value = plan.upper_bound = plan.total_value;
    plan.exact = true;
    return plan;
  }
  std::vector<bool> kept(candidates.size(), false);
  if (room >= 0) {
    const KnapsackResult r = solve_knapsack(items, room);
    for (size_t k : r.keep) kept[of_item[k]] = true;
    plan.kept_bytes += r.weight;
    plan.upper_bound = plan.kept_value + r.upper_bound;
    plan.kept_value += r.value;
    plan.exact = r.exact;
  } else {
    plan.upper_bound = plan.kept_value;
    plan.exact = true;
  }
  for (size_t i = 0; i < candidates.size(); ++i)
    if (!candidates[i].pinned && !kept[i]) {
      plan.evict.push_back(candidates[i].id);
      plan.freed_bytes += candidates[i].bytes;
    }
  std::sort(plan.evict.begin(), plan.evict.end());
  return plan;
}

int64_t low_water_capacity(double low_water, int64_t budget) {
  return static_cast<int64_t>(std::floor(low_water * static_cast<double>(budget)));
}

std::optional<int64_t> eviction_due(int64_t bytes, int64_t budget, double low_water) {
  if (bytes <= budget) return std::nullopt;
  return low_water_capacity(low_water, budget);
}

std::optional<int64_t> evict_budget_arg(std::optional<int64_t> integer, std::optional<std::string_view> text) {
  if (integer) return *integer > 0 ? integer : std::nullopt;
  if (!text) return std::nullopt;
  try {
    return parse_size("iccache_evict", "budget", *text);
  } catch (const Error&) {
    return std::nullopt;  // the caller's refusal names the argument and what it received
  }
}

int64_t evict_budget(std::string_view table, std::optional<int64_t> given, bool for_tenant,
                     std::optional<int64_t> budget, std::optional<int64_t> tenant_budget) {
  if (given) return *given;
  const std::string t(table);
  if (for_tenant) {
    if (!tenant_budget)
      throw Error("iccache_evict: table " + t + " has no tenant_budget option; expected a budget argument such as"
                  " iccache_evict('" + t + "', '64MB', tenant)");
    return *tenant_budget;
  }
  if (!budget)
    throw Error("iccache_evict: table " + t + " has no budget option; expected a budget argument such as"
                " iccache_evict('" + t + "', '256MB')");
  return *budget;
}

std::string eviction_json(const EvictionPlan& p, int64_t kept) {
  const double total = p.total_value > 0 ? p.total_value : 1;
  return "{\"evicted\":" + std::to_string(p.evict.size()) + ",\"freed_bytes\":" + std::to_string(p.freed_bytes) +
         ",\"kept\":" + std::to_string(kept) + ",\"kept_bytes\":" + std::to_string(p.kept_bytes) +
         ",\"value_kept\":" + format_number(p.total_value > 0 ? p.kept_value / total : 1) +
         ",\"value_bound\":" + format_number(p.total_value > 0 ? p.upper_bound / total : 1) +
         ",\"exact\":" + (p.exact ? "true" : "false") + "}";
}

void check_fits_budget(std::string_view table, int64_t bytes, std::optional<int64_t> budget,
                       std::optional<int64_t> tenant_budget) {
  const std::string t(table);
  if (budget && bytes > *budget)
    throw Error(t + ": the example takes " + std::to_string(bytes) + " bytes, more than the whole budget of " +
                std::to_string(*budget) + " bytes; expected an example that fits the budget (or a larger budget=...)");
  if (tenant_budget && bytes > *tenant_budget)
    throw Error(t + ": the example takes " + std::to_string(bytes) + " bytes, more than the whole tenant_budget of " +
                std::to_string(*tenant_budget) +
                " bytes; expected an example that fits a tenant's budget (or a larger tenant_budget=...)");
}

}  // namespace iccache::manage
