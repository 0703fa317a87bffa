// The tenant model's check of example ids (engine/common/tenant_check.h): another tenant's
// example is refused with the one wording; ids of no example are the caller's to judge.
#include <gtest/gtest.h>

#include <map>

#include "common/tenant_check.h"
#include "error_test_util.h"

namespace iccache {
namespace {

TEST(TenantCheck, RefusesTheFirstExampleOfAnotherTenant) {
  const std::map<int64_t, std::string> owner = {{1, "acme"}, {2, "acme"}, {3, "other"}};
  auto tenant_of = [&](int64_t id) -> std::optional<std::string> {
    auto it = owner.find(id);
    if (it == owner.end()) return std::nullopt;
    return it->second;
  };
  const std::vector<int64_t> mine = {1, 9, 2};  // 9: no such example
  EXPECT_EQ(error_of([&] { require_tenant_examples(mine, "acme", tenant_of, "iccache_route", "example_ids_json", "ex"); }),
            "");
  const std::vector<int64_t> mixed = {2, 3, 1};
  EXPECT_EQ(error_of([&] { require_tenant_examples(mixed, "acme", tenant_of, "iccache_route", "example_ids_json", "ex"); }),
            "iccache_route: example 3 of example_ids_json is not one of tenant 'acme''s examples in ex; expected ids"
            " from a MATCH on ex with tenant = 'acme'");
}

}  // namespace
}  // namespace iccache
