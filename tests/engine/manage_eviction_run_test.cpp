// Running an eviction (engine/manage/eviction_run.h) over an in-memory store: the pinned
// example stays, a tenant's eviction touches only its examples, and after an INSERT the
// tenant budget is enforced before the global one, each down to its low-water mark.
#include <gtest/gtest.h>

#include <map>

#include "manage/eviction_run.h"

namespace iccache::manage {
namespace {

struct FakeExamples : EvictionStore {
  struct Row {
    std::string tenant;
    int64_t bytes;
    double value;
  };
  std::map<int64_t, Row> rows;
  std::vector<int64_t> evicted;

  std::vector<EvictionCandidate> candidates(const std::string* tenant) override {
    std::vector<EvictionCandidate> out;
    for (const auto& [id, r] : rows)
      if (!tenant || r.tenant == *tenant) out.push_back({id, r.bytes, r.value, 0, false});
    return out;
  }
  int64_t total_bytes() override {
    int64_t n = 0;
    for (const auto& [id, r] : rows) n += r.bytes;
    return n;
  }
  int64_t tenant_bytes(const std::string& tenant) override {
    int64_t n = 0;
    for (const auto& [id, r] : rows) n += r.tenant == tenant ? r.bytes : 0;
    return n;
  }
  void evict(int64_t id) override {
    evicted.push_back(id);
    rows.erase(id);
  }
};

TEST(ManageEvictionRun, KeepsThePinnedExampleAndTheMostValuable) {
  FakeExamples s;
  s.rows = {{1, {"a", 100, 5}}, {2, {"a", 100, 1}}, {3, {"b", 100, 0}}};
  const EvictionPlan p = evict_to_capacity(s, TableOptions{}, 200, 3);
  EXPECT_EQ(p.evict, (std::vector<int64_t>{2}));
  EXPECT_EQ(s.evicted, (std::vector<int64_t>{2}));
  EXPECT_EQ(p.kept_bytes, 200);
}

TEST(ManageEvictionRun, ATenantsEvictionStaysInsideTheTenant) {
  FakeExamples s;
  s.rows = {{1, {"a", 100, 5}}, {2, {"a", 100, 1}}, {3, {"b", 100, 0}}};
  const std::string a = "a";
  evict_to_capacity(s, TableOptions{}, 100, std::nullopt, &a);
  EXPECT_EQ(s.evicted, (std::vector<int64_t>{2}));
  EXPECT_EQ(s.rows.count(3), 1u);
}

TEST(ManageEvictionRun, AfterAnInsertTheTenantBudgetThenTheBudgetDownToLowWater) {
  TableOptions o;
  o.manage.low_water = 0.5;
  o.tenant_budget = 400;
  o.budget = 600;
  FakeExamples s;
  for (int64_t id = 1; id <= 5; ++id) s.rows[id] = {"a", 100, static_cast<double>(id)};
  s.rows[6] = {"b", 100, 0};
  s.rows[7] = {"b", 100, 9};
  evict_after_insert(s, o, 1, "a");  // a: 500 > 400 -> down to 200 keeping 1 (pinned) and 5
  EXPECT_EQ(s.evicted, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(s.total_bytes(), 400);  // within the budget: no global pass
  s.rows[8] = {"b", 300, 1};
  evict_after_insert(s, o, 8, "b");  // b: 500 > 400 -> down to 200: pinned 8 (300) stays alone
  EXPECT_EQ(s.evicted, (std::vector<int64_t>{2, 3, 4, 6, 7}));
  EXPECT_EQ(s.total_bytes(), 500);
  s.evicted.clear();
  s.rows[9] = {"c", 200, 0};
  evict_after_insert(s, o, 9, "c");  // c fits its budget; 700 > 600 -> down to 300: 9 + 5
  EXPECT_EQ(s.evicted, (std::vector<int64_t>{1, 8}));
  EXPECT_EQ(s.total_bytes(), 300);
}

}  // namespace
}  // namespace iccache::manage
