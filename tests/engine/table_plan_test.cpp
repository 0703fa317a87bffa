// The query plans of the iccache table and of table-valued functions (engine/table/plan.h):
// which constraints go to xFilter in which order, the plan bits, costs and ORDER BY.
#include <gtest/gtest.h>

#include <sstream>

#include "table/columns.h"
#include "table/plan.h"

namespace iccache::table {
namespace {

using Op = Constraint::Op;
using Outcome = Plan::Outcome;

Constraint eq(int column, bool usable = true, std::string_view collation = "BINARY") {
  return {column, Op::kEq, usable, collation};
}
Constraint match(bool usable = true) { return {kTableCol, Op::kMatch, usable, ""}; }

// A plan's outputs besides the outcome, in one line.
std::string shown(const Plan& p) {
  std::string args;
  for (int a : p.args) args += (args.empty() ? "" : ",") + std::to_string(a);
  std::ostringstream out;
  out << "idx=" << p.idx_num << " args=" << args << " cost=" << p.cost << " rows=" << p.rows
      << (p.unique ? " unique" : "") << (p.order_consumed ? " ordered" : "");
  return out.str();
}

TEST(TablePlan, MatchPassesItsArgumentsInFilterOrder) {
  Query q;
  // Offered in another order than xFilter reads them, with a constraint it does not use.
  q.constraints = {eq(kDiversity), eq(kNprobe), {kQuality, Op::kOther, true, ""}, eq(kTenant), eq(kK),
                   match(), eq(kMinSimilarity)};
  const Plan p = plan_table_query(q, SelectOptions{}, "ex");
  EXPECT_EQ(p.outcome, Outcome::kOk);
  EXPECT_EQ(p.idx_num, kPlanMatch | kPlanK | kPlanTenant | kPlanNprobe | kPlanMinSimilarity | kPlanDiversity);
  EXPECT_EQ(shown(p), "idx=215 args=5,4,3,1,6,0 cost=100 rows=10");  // a tenant inside the search
}

TEST(TablePlan, MatchCostDependsOnTheTenantConstraint) {
  Query q;
  q.constraints = {match(), eq(kK)};
  EXPECT_EQ(plan_table_query(q, SelectOptions{}, "ex").cost, 1000.0);  // no tenant constraint
  q.constraints.push_back(eq(kTenant, false));
  const Plan p = plan_table_query(q, SelectOptions{}, "ex");
  EXPECT_EQ(p.cost, 1e12);  // an unusable tenant constraint prices the plan out
  EXPECT_EQ(p.idx_num, kPlanMatch | kPlanK);
  EXPECT_EQ(p.args, (std::vector<int>{0, 1}));
}

TEST(TablePlan, UnusableMatchAsksForAnotherJoinOrder) {
  Query q;
  q.constraints = {match(false), eq(-1)};
  EXPECT_EQ(plan_table_query(q, SelectOptions{}, "ex").outcome, Outcome::kRetry);
}

TEST(TablePlan, TenantInAnotherCollationIsRefusedForMatch) {
  Query q;
  q.constraints = {match(), eq(kK), eq(kTenant, true, "NOCASE")};
  const Plan p = plan_table_query(q, SelectOptions{}, "ex");
  EXPECT_EQ(p.outcome, Outcome::kError);
  EXPECT_EQ(p.error,
            "ex.tenant: a MATCH filters tenants inside the search by exact (BINARY) comparison, so a tenant"
            " constraint with COLLATE NOCASE cannot be honoured; expected tenant = ? without a collation"
            " (store tenant names in one case)");
  q.constraints[2].collation = "binary";  // collation names compare without case
  EXPECT_EQ(plan_table_query(q, SelectOptions{}, "ex").outcome, Outcome::kOk);
  q.constraints = {eq(kTenant, true, "NOCASE")};  // without MATCH SQLite applies it: a scan
  const Plan scan = plan_table_query(q, SelectOptions{}, "ex");
  EXPECT_EQ(scan.outcome, Outcome::kOk);
  EXPECT_EQ(scan.idx_num, 0);
  EXPECT_TRUE(scan.args.empty());
}

TEST(TablePlan, MatchOrderConsumedByTheRankingColumn) {
  Query q;
  q.constraints = {match(), eq(kK)};
  q.order_by = {{kUtility, true}};
  SelectOptions so;
  EXPECT_TRUE(plan_table_query(q, so, "ex").order_consumed);
  q.order_by = {{kSimilarity, true}};
  EXPECT_FALSE(plan_table_query(q, so, "ex").order_consumed);  // by utility: SQLite sorts
  so.selection = SelectionKind::kSimilarity;
  EXPECT_TRUE(plan_table_query(q, so, "ex").order_consumed);
  q.order_by = {{kSimilarity, false}};
  EXPECT_FALSE(plan_table_query(q, so, "ex").order_consumed);  // ascending
  q.order_by = {{kSimilarity, true}};
  so.diversity = 0.5;  // MMR may reorder
  EXPECT_FALSE(plan_table_query(q, so, "ex").order_consumed);
  so.diversity = 0;
  q.constraints.push_back(eq(kDiversity));
  EXPECT_FALSE(plan_table_query(q, so, "ex").order_consumed);
  SelectOptions hits;
  hits.hit_similarity = 0.95;  // a hit row comes first whatever its utility
  q.constraints.pop_back();
  q.order_by = {{kUtility, true}};
  EXPECT_FALSE(plan_table_query(q, hits, "ex").order_consumed);
}

TEST(TablePlan, UtilityReadSetsItsBit) {
  Query q;
  q.constraints = {match(), eq(kK)};
  q.columns_used = uint64_t{1} << kUtility;
  EXPECT_EQ(plan_table_query(q, SelectOptions{}, "ex").idx_num, kPlanMatch | kPlanK | kPlanUtilityUsed);
  q.columns_used = ~(uint64_t{1} << kUtility);
  EXPECT_EQ(plan_table_query(q, SelectOptions{}, "ex").idx_num, kPlanMatch | kPlanK);
}

TEST(TablePlan, RowidLookupAndFullScan) {
  Query q;
  q.constraints = {eq(kK), eq(-1)};
  EXPECT_EQ(shown(plan_table_query(q, SelectOptions{}, "ex")), "idx=8 args=1 cost=10 rows=1 unique");

  q.constraints = {eq(kK)};  // k without MATCH: passed so that xFilter explains the mistake
  q.order_by = {{-1, false}};  // full scans go in rowid order
  EXPECT_EQ(shown(plan_table_query(q, SelectOptions{}, "ex")), "idx=2 args=0 cost=1e+06 rows=1000000 ordered");
  q.order_by = {{-1, true}};
  EXPECT_EQ(shown(plan_table_query(q, SelectOptions{}, "ex")), "idx=2 args=0 cost=1e+06 rows=1000000");
}

TEST(ArgumentPlan, PresentArgumentsInColumnOrderWithTheirMask) {
  Query q;
  q.constraints = {eq(7), eq(0), eq(5), {6, Op::kOther, true, ""}, eq(9)};  // arguments: columns 5..8
  const Plan p = plan_arguments(q, 5, 4, 2.5, 7.9);
  EXPECT_EQ(p.outcome, Outcome::kOk);
  EXPECT_EQ(shown(p), "idx=5 args=2,0 cost=2.5 rows=7");
  q.constraints.push_back(eq(8, false));
  EXPECT_EQ(plan_arguments(q, 5, 4, 2.5, 7.9).outcome, Outcome::kRetry);
}

}  // namespace
}  // namespace iccache::table
