// Running an eviction over a table (eviction.h decides which examples): iccache_evict and
// the automatic eviction after an INSERT into a table created with budget=... or
// tenant_budget=..., through a small store that ext/manage/manage_evict.cpp implements over
// the table's statistics columns and its delete.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manage/eviction.h"
#include "options/table_options.h"

namespace iccache::manage {

class EvictionStore {
 public:
  virtual ~EvictionStore() = default;
  // Every example (or every example of `tenant` when not null) as a candidate, in id order.
  virtual std::vector<EvictionCandidate> candidates(const std::string* tenant) = 0;
  // Total stored bytes of all examples, and of one tenant's.
  virtual int64_t total_bytes() = 0;
  virtual int64_t tenant_bytes(const std::string& tenant) = 0;
  // Deletes one example from every shadow table and index.
  virtual void evict(int64_t id) = 0;
};

// Evicts the examples the knapsack leaves out so that the rest fits `capacity` bytes.
// `pinned` is never evicted. With a tenant, only that tenant's examples are candidates and
// `capacity` bounds their total.
EvictionPlan evict_to_capacity(EvictionStore& store, const TableOptions& o, int64_t capacity,
                               std::optional<int64_t> pinned, const std::string* tenant = nullptr);

// After an INSERT wrote example id of `tenant`: when that tenant's total exceeds
// tenant_budget, evicts inside the tenant down to low_water x tenant_budget; then, when the
// total exceeds the budget, evicts down to low_water x budget (amortised: one knapsack pass
// per (1 - low_water) x budget inserted).
void evict_after_insert(EvictionStore& store, const TableOptions& o, int64_t id, const std::string& tenant);

}  // namespace iccache::manage
