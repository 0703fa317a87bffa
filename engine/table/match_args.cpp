#include "table/match_args.h"

#include <cmath>
#include <string>

#include "common/error.h"
#include "options/table_options.h"
#include "table/columns.h"
#include "table/example_row.h"
#include "table/plan.h"

namespace iccache::table {

MatchArgs read_match_args(ColumnValues& v, int plan, const SelectOptions& so, std::string_view table) {
  const std::string t(table);
  if (!(plan & kPlanK))
    throw Error(t + ": a MATCH query needs a k constraint: WHERE " + t + " MATCH ? AND k = ? (k from 1 to " +
                std::to_string(kMaxK) + ")");
  MatchArgs m;
  m.k = v.integer(kK, 1, kMaxK, "an integer from 1 to " + std::to_string(kMaxK));
  if (plan & kPlanTenant) {
    if (v.is_null(kTenant)) {
      m.no_rows = true;
      return m;
    }
    m.by_tenant = true;
    m.tenant = v.as_text(kTenant);
  }
  if (plan & kPlanNprobe)
    m.nprobe = static_cast<int>(v.integer(kNprobe, 1, kMaxNprobe, "an integer from 1 to " + std::to_string(kMaxNprobe)));
  m.min_similarity = so.min_similarity;
  if (plan & kPlanMinSimilarity) m.min_similarity = v.number(kMinSimilarity, -1, 1, "a cosine similarity from -1 to 1");
  m.diversity = so.diversity;
  if (plan & kPlanDiversity)
    m.diversity = v.number(kDiversity, 0, 1, "a weight from 0 (rank by relevance only) to 1 (only avoid redundancy)");
  return m;
}

std::optional<int64_t> rowid_of_real(double d) {
  if (std::floor(d) == d && std::abs(d) < 9.2e18) return static_cast<int64_t>(d);
  return std::nullopt;
}

void check_scan(int plan, std::string_view table) {
  const std::string t(table);
  if (plan & kPlanK) throw Error(t + ".k: k only applies together with MATCH: WHERE " + t + " MATCH ? AND k = ?");
}

}  // namespace iccache::table
