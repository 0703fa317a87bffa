#include "manage/eviction_run.h"

namespace iccache::manage {

EvictionPlan evict_to_capacity(EvictionStore& store, const TableOptions& o, int64_t capacity,
                               std::optional<int64_t> pinned, const std::string* tenant) {
  std::vector<EvictionCandidate> candidates = store.candidates(tenant);
  if (pinned)
    for (EvictionCandidate& c : candidates) c.pinned = c.id == *pinned;
  EvictionPlan plan = plan_eviction(candidates, capacity, o.manage.half_life);
  for (int64_t id : plan.evict) store.evict(id);
  return plan;
}

void evict_after_insert(EvictionStore& store, const TableOptions& o, int64_t id, const std::string& tenant) {
  const double low_water = o.manage.low_water;
  if (o.tenant_budget)
    if (auto cap = eviction_due(store.tenant_bytes(tenant), *o.tenant_budget, low_water))
      evict_to_capacity(store, o, *cap, id, &tenant);
  if (o.budget)
    if (auto cap = eviction_due(store.total_bytes(), *o.budget, low_water)) evict_to_capacity(store, o, *cap, id);
}

}  // namespace iccache::manage
