// The arguments of a MATCH on the iccache table, as xFilter receives them for a plan
// (table/plan.h): the rules of k, tenant, nprobe, min_similarity and diversity, and the
// selection options that stand in for those absent.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "options/select_options.h"
#include "table/column_values.h"

namespace iccache::table {

constexpr int kMaxK = 4096;

struct MatchArgs {
  int64_t k = 0;
  bool by_tenant = false;  // only rows of `tenant`
  std::string_view tenant;
  bool no_rows = false;  // tenant = NULL matches nothing (the rest is not read)
  int nprobe = 0;        // 0: the table's
  std::optional<double> min_similarity;
  double diversity = 0;
};

// The arguments of plan `plan` (kPlanMatch set) of table `table` from v, whose columns are
// those filter_columns(plan) names. Throws iccache::Error for a MATCH without k, or a value
// out of range.
MatchArgs read_match_args(ColumnValues& v, int plan, const SelectOptions& so, std::string_view table);

// The rowid a lookup by a REAL value finds: rowid = 2.0 finds row 2, as in an ordinary
// table; 2.5 finds nothing (nullopt).
std::optional<int64_t> rowid_of_real(double d);

// A plan without MATCH: throws the error that explains a k constraint there.
void check_scan(int plan, std::string_view table);

}  // namespace iccache::table
