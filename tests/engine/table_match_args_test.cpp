// The arguments of a MATCH on the iccache table (engine/table/match_args.h) and the columns
// each plan passes to xFilter (engine/table/plan.h filter_columns).
#include <gtest/gtest.h>

#include <cmath>

#include "column_values_fake.h"
#include "error_test_util.h"
#include "table/columns.h"
#include "table/match_args.h"
#include "table/plan.h"

namespace iccache::table {
namespace {

constexpr int kMatchK = kPlanMatch | kPlanK;

TEST(FilterColumns, InTheOrderThePlanPassesThem) {
  EXPECT_EQ(filter_columns(kMatchK | kPlanTenant | kPlanNprobe | kPlanMinSimilarity | kPlanDiversity | kPlanUtilityUsed),
            (std::vector<int>{kTableCol, kK, kTenant, kNprobe, kMinSimilarity, kDiversity}));
  EXPECT_EQ(filter_columns(kPlanMatch | kPlanDiversity), (std::vector<int>{kTableCol, kDiversity}));
  EXPECT_EQ(filter_columns(kPlanRowid), (std::vector<int>{-1}));
  EXPECT_EQ(filter_columns(kPlanK), (std::vector<int>{kK}));
  EXPECT_EQ(filter_columns(0), (std::vector<int>{}));
  // The same order as the constraints a full MATCH plan passes.
  Query q;
  const int columns[] = {kDiversity, kMinSimilarity, kNprobe, kTenant, kK};
  for (int c : columns) q.constraints.push_back({c, Constraint::Op::kEq, true, "BINARY"});
  q.constraints.push_back({kTableCol, Constraint::Op::kMatch, true, ""});
  const Plan p = plan_table_query(q, SelectOptions{}, "ex");
  std::vector<int> passed;
  for (int i : p.args) passed.push_back(q.constraints[i].column);
  EXPECT_EQ(passed, filter_columns(p.idx_num));
}

TEST(MatchArgs, AbsentOnesTakeTheSelectionOptions) {
  FakeRow v({{kK, int64_t{5}}});
  SelectOptions so;
  so.min_similarity = 0.3;
  so.diversity = 0.2;
  const MatchArgs m = read_match_args(v, kMatchK, so, "ex");
  EXPECT_EQ(m.k, 5);
  EXPECT_FALSE(m.by_tenant);
  EXPECT_FALSE(m.no_rows);
  EXPECT_EQ(m.nprobe, 0);
  EXPECT_EQ(m.min_similarity, 0.3);
  EXPECT_EQ(m.diversity, 0.2);
  EXPECT_FALSE(read_match_args(v, kMatchK, SelectOptions{}, "ex").min_similarity);
}

TEST(MatchArgs, GivenOnesWin) {
  FakeRow v({{kK, int64_t{7}}, {kTenant, int64_t{42}}, {kNprobe, int64_t{3}}, {kMinSimilarity, -0.5}, {kDiversity, 1.0}});
  const MatchArgs m =
      read_match_args(v, kMatchK | kPlanTenant | kPlanNprobe | kPlanMinSimilarity | kPlanDiversity, SelectOptions{}, "ex");
  EXPECT_EQ(m.k, 7);
  EXPECT_TRUE(m.by_tenant);
  EXPECT_EQ(m.tenant, "42");  // any value, as SQL converts it to text
  EXPECT_EQ(m.nprobe, 3);
  EXPECT_EQ(m.min_similarity, -0.5);
  EXPECT_EQ(m.diversity, 1.0);
}

TEST(MatchArgs, NullTenantMatchesNothingAndReadsNoFurther) {
  FakeRow v({{kK, int64_t{7}}, {kNprobe, int64_t{0}}});  // the bad nprobe is never read
  const MatchArgs m = read_match_args(v, kMatchK | kPlanTenant | kPlanNprobe, SelectOptions{}, "ex");
  EXPECT_TRUE(m.no_rows);
  EXPECT_EQ(m.k, 7);
}

TEST(MatchArgs, Errors) {
  FakeRow v({{kK, int64_t{4097}}, {kNprobe, int64_t{0}}, {kMinSimilarity, 1.5}, {kDiversity, -0.1}});
  EXPECT_EQ(error_of([&] { read_match_args(v, kPlanMatch, SelectOptions{}, "ex"); }),
            "ex: a MATCH query needs a k constraint: WHERE ex MATCH ? AND k = ? (k from 1 to 4096)");
  EXPECT_EQ(error_of([&] { read_match_args(v, kMatchK, SelectOptions{}, "ex"); }),
            "ex.k: must be an integer from 1 to 4096; received (value)");
  FakeRow ok_k({{kK, int64_t{1}}, {kNprobe, int64_t{0}}, {kMinSimilarity, 1.5}, {kDiversity, -0.1}});
  EXPECT_EQ(error_of([&] { read_match_args(ok_k, kMatchK | kPlanNprobe, SelectOptions{}, "ex"); }),
            "ex.nprobe: must be an integer from 1 to 1048576; received (value)");
  EXPECT_EQ(error_of([&] { read_match_args(ok_k, kMatchK | kPlanMinSimilarity, SelectOptions{}, "ex"); }),
            "ex.min_similarity: must be a cosine similarity from -1 to 1; received (value)");
  EXPECT_EQ(error_of([&] { read_match_args(ok_k, kMatchK | kPlanDiversity, SelectOptions{}, "ex"); }),
            "ex.diversity: must be a weight from 0 (rank by relevance only) to 1 (only avoid redundancy); received"
            " (value)");
  EXPECT_EQ(error_of([] { check_scan(kPlanRowid, "ex"); }), "");
  EXPECT_EQ(error_of([] { check_scan(kPlanK, "ex"); }),
            "ex.k: k only applies together with MATCH: WHERE ex MATCH ? AND k = ?");
}

TEST(RowidLookup, ARealFindsTheRowOfItsIntegralValue) {
  EXPECT_EQ(rowid_of_real(2.0), 2);
  EXPECT_EQ(rowid_of_real(-7.0), -7);
  EXPECT_EQ(rowid_of_real(2.5), std::nullopt);
  EXPECT_EQ(rowid_of_real(1e19), std::nullopt);
  EXPECT_EQ(rowid_of_real(std::nan("")), std::nullopt);
}

}  // namespace
}  // namespace iccache::table
