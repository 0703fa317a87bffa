// Issue 11 item 3, the tenant model (docs/reliability.md): a per-tenant budget that evicts
// inside the tenant. The tenant argument of route / feedback / example_feedback / replay /
// evict / prompt, the NULL tenant and ids never reused are in slt/tenant.test.
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

// n examples of `tenant`, requests 'question <tenant> <i>'.
void add(Db& db, const std::string& tenant, int n) {
  db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
          std::to_string(n) + ") INSERT INTO ex(request, response, tenant) SELECT 'question " +
          tenant + " ' || i, 'answer ' || i, '" + tenant + "' FROM n");
}

std::string count_of(Db& db, const std::string& tenant) {
  return db.scalar("SELECT count(*) FROM ex WHERE tenant = '" + tenant + "'");
}

TEST(TenantModel, TenantBudgetEvictsInsideTheTenantOnly) {
  Db db;
  // Each example here takes 200 to 210 bytes; a tenant may hold about 10 of them, the
  // whole table far more.
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, budget='1MB', tenant_budget=2100)");
  add(db, "A", 8);
  const std::string a_before = db.scalar("SELECT group_concat(rowid) FROM ex WHERE tenant = 'A'");
  add(db, "B", 40);  // B fills its own budget over and over
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex WHERE tenant = 'A'"), a_before);
  EXPECT_LE(std::stoi(db.scalar("SELECT total(bytes) FROM ex WHERE tenant = 'B'")), 2100);
  EXPECT_GE(std::stoi(count_of(db, "B")), 5);
  // The newest example of B always stays (it is the one being inserted).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE tenant = 'B' AND request = 'question B 40'"), "1");
  // iccache_evict inside one tenant: to an explicit size, or (NULL) to tenant_budget.
  EXPECT_EQ(db.scalar("SELECT json_extract(iccache_evict('ex', 1, 'A'), '$.kept')"), "0");
  EXPECT_EQ(count_of(db, "A"), "0");
  EXPECT_GE(std::stoi(count_of(db, "B")), 5);
  add(db, "A", 5);
  EXPECT_EQ(db.scalar("SELECT json_extract(iccache_evict('ex', NULL, 'A'), '$.evicted')"), "0");
  EXPECT_EQ(count_of(db, "A"), "5");
  // A single example larger than tenant_budget is refused before anything is written.
  EXPECT_EQ(db.error_of("INSERT INTO ex(request, response, tenant) SELECT 'q', (WITH RECURSIVE"
                        " n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT"
                        " group_concat((i * i * 7919) % 100003, ' ') FROM n), 'A'"),
            "ex: the example takes 5264 bytes, more than the whole tenant_budget of 2100 bytes;"
            " expected an example that fits a tenant's budget (or a larger tenant_budget=...)");
  EXPECT_EQ(count_of(db, "A"), "5");
}

}  // namespace
