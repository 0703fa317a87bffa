// The example manager's budget rules (engine/manage/eviction.h): when automatic eviction is
// due and to what capacity, which budget iccache_evict uses, its JSON result, and which
// examples one feedback credits (example_stats.h).
#include <gtest/gtest.h>

#include "common/error.h"
#include "manage/eviction.h"
#include "manage/example_stats.h"

namespace iccache::manage {
namespace {

std::string refusal(std::optional<int64_t> given, bool tenant, std::optional<int64_t> budget,
                    std::optional<int64_t> tenant_budget) {
  try {
    evict_budget("ex", given, tenant, budget, tenant_budget);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(EvictionRules, DueOnlyOverTheBudgetThenDownToLowWater) {
  EXPECT_EQ(eviction_due(1000, 1000, 0.9), std::nullopt);  // at the budget: fits
  EXPECT_EQ(eviction_due(1001, 1000, 0.9), 900);
  EXPECT_EQ(eviction_due(5000, 1001, 0.5), 500);  // floor(0.5 x 1001)
  EXPECT_EQ(eviction_due(2, 1, 1.0), 1);
}

TEST(EvictionRules, BudgetGivenElseTheTenantOrTableOption) {
  EXPECT_EQ(evict_budget("ex", 123, false, std::nullopt, std::nullopt), 123);
  EXPECT_EQ(evict_budget("ex", 123, true, 7, 8), 123);
  EXPECT_EQ(evict_budget("ex", std::nullopt, false, 7, 8), 7);
  EXPECT_EQ(evict_budget("ex", std::nullopt, true, 7, 8), 8);
  EXPECT_EQ(refusal(std::nullopt, true, 7, std::nullopt),
            "iccache_evict: table ex has no tenant_budget option; expected a budget argument such as"
            " iccache_evict('ex', '64MB', tenant)");
  EXPECT_EQ(refusal(std::nullopt, false, std::nullopt, 8),
            "iccache_evict: table ex has no budget option; expected a budget argument such as"
            " iccache_evict('ex', '256MB')");
}

TEST(EvictionRules, BudgetArgumentIsAPositiveIntegerOrASizeText) {
  EXPECT_EQ(evict_budget_arg(1000, std::nullopt), 1000);
  EXPECT_EQ(evict_budget_arg(1, std::nullopt), 1);
  EXPECT_EQ(evict_budget_arg(0, std::nullopt), std::nullopt);
  EXPECT_EQ(evict_budget_arg(-5, std::nullopt), std::nullopt);
  EXPECT_EQ(evict_budget_arg(std::nullopt, "512KB"), 524288);
  EXPECT_EQ(evict_budget_arg(std::nullopt, "1.5GB"), 1610612736);
  EXPECT_EQ(evict_budget_arg(std::nullopt, "100"), 100);
  EXPECT_EQ(evict_budget_arg(std::nullopt, "0"), std::nullopt);
  EXPECT_EQ(evict_budget_arg(std::nullopt, "lots"), std::nullopt);
  EXPECT_EQ(evict_budget_arg(std::nullopt, ""), std::nullopt);
  EXPECT_EQ(evict_budget_arg(std::nullopt, std::nullopt), std::nullopt);  // NULL, REAL, BLOB
  EXPECT_EQ(kEvictBudgetExpected, "a positive size in bytes such as 1048576, '512KB', '256MB' or '1.5GB'");
}

TEST(EvictionRules, JsonResult) {
  EvictionPlan p;
  p.evict = {3, 4};
  p.freed_bytes = 300;
  p.kept_bytes = 700;
  p.total_value = 3;
  p.kept_value = 2;
  p.upper_bound = 2.5;
  p.exact = true;
  EXPECT_EQ(eviction_json(p, 5),
            "{\"evicted\":2,\"freed_bytes\":300,\"kept\":5,\"kept_bytes\":700,\"value_kept\":0.666667,"
            "\"value_bound\":0.833333,\"exact\":true}");
  EXPECT_EQ(eviction_json(EvictionPlan{}, 0),  // no value at all: everything of it is kept
            "{\"evicted\":0,\"freed_bytes\":0,\"kept\":0,\"kept_bytes\":0,\"value_kept\":1,"
            "\"value_bound\":1,\"exact\":false}");
}

TEST(EvictionRules, FeedbackCreditsEachExampleOnce) {
  const std::vector<int64_t> shown = {9, 3, 9, 5, 3};
  EXPECT_EQ(credited_examples(shown), (std::vector<int64_t>{3, 5, 9}));
  EXPECT_EQ(credited_examples({}), std::vector<int64_t>{});
}

}  // namespace
}  // namespace iccache::manage
