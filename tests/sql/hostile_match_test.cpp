// Issue 11, hostile use of MATCH (docs/reliability.md, "Hostile use"):
//   item 7: deleting rows while reading MATCH rows skips the vanished rows, never errors;
//   item 5: a tenant taken from a joined table is used inside the search, whatever the
//           join order written.
// Item 6 (TEXT is always request text; vectors come as BLOBs) and the tenant constraint in
// another collation are in slt/hostile.test.
#include <gtest/gtest.h>

#include <set>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

// --- item 7 -----------------------------------------------------------------------------

// Steps a MATCH and, after each row, deletes the row the MATCH would return next (and, on the
// first row, the row being read): "for each row: DELETE another". Returns the rows read.
std::vector<int64_t> read_while_deleting(Db& db, const std::string& match,
                                         const std::vector<int64_t>& order) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.get(), match.c_str(), -1, &s, nullptr), SQLITE_OK);
  std::vector<int64_t> seen;
  std::set<int64_t> deleted;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const int64_t id = sqlite3_column_int64(s, 0);
    seen.push_back(id);
    EXPECT_EQ(deleted.count(id), 0u) << "MATCH returned deleted row " << id;
    // The next row in the full order that is not yet deleted.
    for (size_t i = 0; i + 1 < order.size(); ++i)
      if (order[i] == id) {
        for (size_t j = i + 1; j < order.size(); ++j)
          if (!deleted.count(order[j])) {
            db.exec("DELETE FROM ex WHERE rowid = " + std::to_string(order[j]));
            deleted.insert(order[j]);
            break;
          }
        break;
      }
    if (seen.size() == 1) {
      db.exec("DELETE FROM ex WHERE rowid = " + std::to_string(id));
      deleted.insert(id);
    }
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db.get());
  sqlite3_finalize(s);
  return seen;
}

TEST(HostileMatch, DeletingWhileReadingSkipsVanishedRows) {
  for (const char* selection : {"similarity", "utility"}) {
    Db db;
    db.exec(std::string("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', threshold=0, selection='") +
            selection + "')");
    for (int i = 1; i <= 10; ++i)  // similarity to [1, 0] falls with the rowid
      db.exec("INSERT INTO ex(rowid, request, response, embedding) VALUES(" + std::to_string(i) +
              ", 'r', 's', '[1, " + std::to_string(0.1 * i) + "]')");
    const std::string match = "SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1, 0]') AND k = 10";
    Rows all = db.query(match);
    ASSERT_EQ(all.size(), 10u) << selection;
    std::vector<int64_t> order;
    for (const auto& r : all) order.push_back(std::stoll(r[0]));
    // Reads 1, deletes 1 and 2; reads 3, deletes 4; reads 5, deletes 6 ...
    EXPECT_EQ(read_while_deleting(db, match, order), (std::vector<int64_t>{1, 3, 5, 7, 9})) << selection;
    EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex"), "3,5,7,9") << selection;
    db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  }
}

// --- item 5 -----------------------------------------------------------------------------

// Tenant A holds 30 rows far from the query; tenant B holds 30 rows right on it.
void two_tenants(Db& db) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=2, embedder='none', selection='similarity')");
  for (int i = 0; i < 30; ++i) {
    // Distinct request texts: a selection never repeats a request (same text and vector).
    db.exec("INSERT INTO ex(request, response, embedding, tenant) VALUES('qa" + std::to_string(i) + "', 'A" +
            std::to_string(i) + "', '[0.1, 1]', 'A')");
    db.exec("INSERT INTO ex(request, response, embedding, tenant) VALUES('qb" + std::to_string(i) + "', 'B" +
            std::to_string(i) + "', '[1, 0.01]', 'B')");
  }
  db.exec("CREATE TABLE sessions(id INTEGER PRIMARY KEY, tenant TEXT, q BLOB);"
          "INSERT INTO sessions VALUES(1, 'A', iccache_vector('[1, 0]')), (2, 'B', iccache_vector('[1, 0]'))");
}

TEST(HostileMatch, TenantFromAJoinedTableIsUsedInsideTheSearch) {
  Db db;
  two_tenants(db);
  const std::string count_a = "SELECT count(*), sum(response LIKE 'A%') FROM (";
  for (const std::string& sql : {
           std::string("SELECT response FROM sessions s, ex WHERE s.id = 1 AND ex MATCH iccache_vector('[1, 0]')"
                       " AND k = 5 AND ex.tenant = s.tenant"),
           std::string("SELECT response FROM ex, sessions s WHERE s.id = 1 AND ex MATCH iccache_vector('[1, 0]')"
                       " AND k = 5 AND ex.tenant = s.tenant"),
           std::string("SELECT response FROM ex JOIN sessions s ON ex.tenant = s.tenant WHERE s.id = 1"
                       " AND ex MATCH iccache_vector('[1, 0]') AND k = 5"),
           std::string("SELECT response FROM sessions s, ex WHERE s.id = 1 AND ex MATCH s.q AND k = 5"
                       " AND s.tenant = ex.tenant"),
       })
    EXPECT_EQ(db.query(count_a + sql + ")"), (iccache_test::Rows{{"5", "5"}})) << sql;
  // One MATCH per session, each inside its own tenant.
  EXPECT_EQ(db.scalar("SELECT group_concat(n) FROM (SELECT s.id, count(*) AS n FROM sessions s, ex"
                      " WHERE ex MATCH s.q AND k = 3 AND ex.tenant = s.tenant GROUP BY s.id ORDER BY s.id)"),
            "3,3");
  std::string plan;
  for (const auto& row : db.query("EXPLAIN QUERY PLAN SELECT response FROM ex, sessions s WHERE s.id = 1"
                                  " AND ex MATCH iccache_vector('[1, 0]') AND k = 5 AND ex.tenant = s.tenant"))
    plan += row.back() + " / ";
  // sessions first, then ex with plan bits MATCH | k | tenant (vtab.h): the tenant is inside.
  ASSERT_NE(plan.find("INDEX 7:"), std::string::npos) << plan;
  EXPECT_LT(plan.find("SEARCH s "), plan.find("INDEX 7:")) << plan;
}

}  // namespace
