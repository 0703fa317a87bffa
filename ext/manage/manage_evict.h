// Knapsack eviction under a byte budget, glue side: iccache_evict('ex' [, budget [, tenant]])
// and the automatic eviction of INSERTs into a table created with budget=...
// (engine/manage/eviction_run.h runs it, engine/manage/eviction.h decides).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "manage/eviction_run.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// Before an INSERT writes anything: an example larger than the whole budget (or the whole
// tenant_budget) is refused.
void check_fits_budget(const Table& t, int64_t bytes);
// After an INSERT wrote example id of `tenant`: manage::evict_after_insert on t.
void evict_after_insert(Table& t, int64_t id, const std::string& tenant);

}  // namespace iccache::ext
