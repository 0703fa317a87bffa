// The tenant model (docs/reliability.md): a call that names a tenant may only use that
// tenant's examples (iccache_route's example_ids_json, iccache_feedback's decision,
// iccache_example_feedback's example_ids).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace iccache {

// Throws iccache::Error, naming `function`, `what` (the argument) and `table`, for the first
// of `ids` whose example is another tenant's than `tenant`. tenant_of(id): the example's
// tenant, nullopt when there is no such example (left to the caller).
void require_tenant_examples(std::span<const int64_t> ids, const std::string& tenant,
                             const std::function<std::optional<std::string>(int64_t)>& tenant_of,
                             std::string_view function, std::string_view what, const std::string& table);

}  // namespace iccache
