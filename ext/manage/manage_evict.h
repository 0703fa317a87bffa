// Knapsack eviction under a byte budget: iccache_evict('ex' [, budget]) and the automatic
// eviction of INSERTs into a table created with budget=... (engine/manage/eviction.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "manage/eviction.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// Evicts the examples the knapsack leaves out so that the rest fits `capacity` bytes, each
// through Table::delete_example (shadow tables and index). `pinned` is never evicted. With
// a tenant, only that tenant's examples are candidates and `capacity` bounds their total.
manage::EvictionPlan evict_to_capacity(Table& t, int64_t capacity, std::optional<int64_t> pinned,
                               const std::string* tenant = nullptr);

// Before an INSERT writes anything: an example larger than the whole budget (or the whole
// tenant_budget) is refused.
void check_fits_budget(const Table& t, int64_t bytes);
// After an INSERT wrote example id of `tenant`: when that tenant's total exceeds
// tenant_budget, evicts inside the tenant down to low_water x tenant_budget; then, when the
// total exceeds the budget, evicts down to low_water x budget (amortised: one knapsack pass
// per (1 - low_water) x budget inserted).
void evict_after_insert(Table& t, int64_t id, const std::string& tenant);

}  // namespace iccache::ext
