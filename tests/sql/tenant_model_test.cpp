// Issue 11 item 3, the tenant model (docs/reliability.md): a per-tenant budget that evicts
// inside the tenant, a tenant argument on route / feedback / example_feedback / replay /
// evict / prompt that refuses other tenants' examples, a NULL tenant that never means every
// tenant, and example ids that are never reused.
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

TEST(TenantModel, EvictWithATenantNeedsABudget) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  add(db, "A", 3);
  EXPECT_EQ(db.error_of("SELECT iccache_evict('ex', NULL, 'A')"),
            "iccache_evict: table ex has no tenant_budget option; expected a budget argument such"
            " as iccache_evict('ex', '64MB', tenant)");
  EXPECT_EQ(db.error_of("SELECT iccache_evict('ex', '1KB', NULL)"),
            "iccache_evict: tenant must be TEXT, the tenant column of the examples to act on;"
            " received NULL (NULL matches no tenant; leave the argument out for every tenant)");
  EXPECT_EQ(count_of(db, "A"), "3");
}

TEST(TenantModel, RouteAndFeedbackRefuseOtherTenantsExamples) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  db.exec("INSERT INTO ex(rowid, request, response, tenant) VALUES"
          " (1, 'a question', 'a answer', 'A'), (2, 'b question', 'b answer', 'B')");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_route('ex', 'q', '[1, 2]', NULL, 'A')"),
            "iccache_route: example 2 of example_ids_json is not one of tenant 'A''s examples in"
            " ex; expected ids from a MATCH on ex with tenant = 'A'");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "0");
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_route('ex', 'q', '[1]', NULL, NULL)"),
            "iccache_route: tenant must be TEXT, the tenant column of the examples to act on;"
            " received NULL (NULL matches no tenant; leave the argument out for every tenant)");
  const std::string d = db.scalar("SELECT decision FROM iccache_route('ex', 'q', '[1]', NULL, 'A')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "1");
  // Feedback from tenant B for A's decision is refused and changes nothing.
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', " + d + ", 1, NULL, 'B')"),
            "iccache_feedback: example 1 of decision " + d +
                " is not one of tenant 'B''s examples in ex; expected ids from a MATCH on ex with"
                " tenant = 'B'");
  EXPECT_EQ(db.scalar("SELECT uses FROM ex WHERE rowid = 1"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions WHERE reward IS NOT NULL"), "0");
  db.exec("SELECT iccache_feedback('ex', " + d + ", 1, NULL, 'A')");
  EXPECT_EQ(db.scalar("SELECT uses FROM ex WHERE rowid = 1"), "1");
  // iccache_example_feedback with a tenant.
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1, 2]', 'small', 1, NULL, 'B')"),
            "iccache_example_feedback: example 1 of example_ids is not one of tenant 'B''s"
            " examples in ex; expected ids from a MATCH on ex with tenant = 'B'");
  EXPECT_EQ(db.scalar("SELECT group_concat(uses) FROM ex"), "1,0");
  EXPECT_EQ(db.scalar("SELECT iccache_example_feedback('ex', '[2]', 'small', 1, NULL, 'B')"), "1");
  EXPECT_EQ(db.scalar("SELECT group_concat(uses) FROM ex"), "1,1");
}

TEST(TenantModel, NullTenantNeverMeansEveryTenant) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  add(db, "A", 3);
  add(db, "B", 3);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'question' AND k = 10 AND tenant = NULL"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_replay WHERE tenant = NULL"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM iccache_replay('ex') WHERE tenant = NULL"), "0");
  const std::string refused =
      "tenant must be TEXT, the tenant column of the examples to act on; received NULL (NULL"
      " matches no tenant; leave the argument out for every tenant)";
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_prompt('ex', 'question', 5, 0, NULL)"),
            "iccache_prompt: " + refused);
  EXPECT_EQ(db.error_of("SELECT iccache_feedback('ex', 1, 1, NULL, NULL)"), "iccache_feedback: " + refused);
  EXPECT_EQ(db.error_of("SELECT iccache_example_feedback('ex', '[1]', 'small', 1, NULL, NULL)"),
            "iccache_example_feedback: " + refused);
  // Without the argument, every tenant.
  EXPECT_EQ(db.scalar("SELECT examples FROM iccache_prompt('ex', 'question', 10, 0)"), "6");
  EXPECT_EQ(db.scalar("SELECT examples FROM iccache_prompt('ex', 'question', 10, 0, 'A')"), "3");
}

TEST(TenantModel, ReplayTakesATenant) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
  add(db, "A", 2);
  add(db, "B", 3);
  EXPECT_EQ(db.query("SELECT rowid, tenant FROM ex_replay WHERE tenant = 'A' ORDER BY rowid"),
            (Rows{{"1", "A"}, {"2", "A"}}));
  EXPECT_EQ(db.scalar("SELECT count(*) FROM iccache_replay('ex') WHERE tenant = 'B'"), "3");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_replay"), "5");
}

TEST(TenantModel, IdsAreNeverReused) {
  TempFile f;
  {
    Db db(f.path());
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8)");
    add(db, "A", 3);
    db.exec("DELETE FROM ex WHERE rowid = 3");
    db.exec("INSERT INTO ex(request, response) VALUES('new', 'row')");
    EXPECT_EQ(db.scalar("SELECT max(rowid) FROM ex"), "4");
    db.exec("DELETE FROM ex");
  }
  Db db(f.path());  // the high-water mark is in the file
  db.exec("INSERT INTO ex(request, response) VALUES('after', 'reopen')");
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex"), "5");
  // An explicit id is kept (as with AUTOINCREMENT) and raises the mark.
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'explicit', 'id')");
  db.exec("DELETE FROM ex WHERE rowid = 100");
  db.exec("INSERT INTO ex(request, response) VALUES('next', 'one')");
  EXPECT_EQ(db.scalar("SELECT max(rowid) FROM ex"), "101");
  // A rowid moved up by UPDATE raises it too.
  db.exec("UPDATE ex SET rowid = 200 WHERE rowid = 101");
  db.exec("DELETE FROM ex WHERE rowid = 200");
  db.exec("INSERT INTO ex(request, response) VALUES('after', 'move')");
  EXPECT_EQ(db.scalar("SELECT max(rowid) FROM ex"), "201");
  // Rolled back with the transaction, like everything else.
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(request, response) VALUES('rolled', 'back')");
  db.exec("ROLLBACK");
  db.exec("INSERT INTO ex(request, response) VALUES('kept', 'row')");
  EXPECT_EQ(db.scalar("SELECT max(rowid) FROM ex"), "202");
}

}  // namespace
