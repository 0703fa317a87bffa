#include "common/tenant_check.h"

#include "common/error.h"

namespace iccache {

void require_tenant_examples(std::span<const int64_t> ids, const std::string& tenant,
                             const std::function<std::optional<std::string>(int64_t)>& tenant_of,
                             std::string_view function, std::string_view what, const std::string& table) {
  for (int64_t id : ids) {
    const std::optional<std::string> owner = tenant_of(id);
    if (owner && *owner != tenant)
      throw Error(std::string(function) + ": example " + std::to_string(id) + " of " + std::string(what) +
                  " is not one of tenant '" + tenant + "''s examples in " + table + "; expected ids from a MATCH on " +
                  table + " with tenant = '" + tenant + "'");
  }
}

}  // namespace iccache
