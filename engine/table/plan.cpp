#include "table/plan.h"

#include <cctype>
#include <utility>

#include "table/columns.h"

namespace iccache::table {

namespace {

// SQLite compares collation names without regard to ASCII case.
bool is_binary(std::string_view collation) {
  constexpr std::string_view kBinary = "BINARY";
  if (collation.size() != kBinary.size()) return false;
  for (size_t i = 0; i < kBinary.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(collation[i])) != kBinary[i]) return false;
  return true;
}

// The plan bits that pass a constraint, in the order plan_table_query passes them (the
// order xFilter reads them in), and their columns.
constexpr std::pair<int, int> kFilterOrder[] = {
    {kPlanMatch, kTableCol},         {kPlanK, kK},          {kPlanTenant, kTenant},   {kPlanNprobe, kNprobe},
    {kPlanMinSimilarity, kMinSimilarity}, {kPlanDiversity, kDiversity}, {kPlanRowid, -1}};

// Constraint i (when there is one) goes to xFilter, in the order xFilter reads them.
void pass(Plan& p, int i, int plan_bit) {
  if (i < 0) return;
  p.idx_num |= plan_bit;
  p.args.push_back(i);
}

}  // namespace

// Cost model (written down, as R*Tree and FTS5 do): a MATCH costs a scan of the vectors
// (N dot products) but returns only k rows; a rowid lookup costs one b-tree descent; a full
// scan reads every row. A MATCH without a usable argument must not be chosen at all.
//
// A tenant constraint matters for a MATCH only inside the search (k rows of that tenant);
// applied by SQLite after the top-k cut it would drop rows instead. So a MATCH plan that uses
// it is priced 10x cheaper than one without any, and a plan that leaves an existing tenant
// constraint unusable (e.g. `ex.tenant = s.tenant` with ex as the outer loop) is priced out:
// SQLite then puts the other table first. Tenants compare exactly (BINARY); a MATCH with a
// tenant constraint in another collation (COLLATE NOCASE) is refused with an error.
Plan plan_table_query(const Query& q, const SelectOptions& so, std::string_view table) {
  using Op = Constraint::Op;
  int match = -1, k = -1, tenant = -1, rowid = -1, nprobe = -1, min_sim = -1, diversity = -1;
  bool match_unusable = false, has_match = false, tenant_unusable = false;
  int tenant_collated = -1;
  for (int i = 0; i < static_cast<int>(q.constraints.size()); ++i) {
    const Constraint& c = q.constraints[i];
    if (c.column == kTableCol && c.op == Op::kMatch) {
      has_match = true;
      if (c.usable) match = i; else match_unusable = true;
    }
    if (c.column == kTenant && c.op == Op::kEq) {
      if (!c.collation.empty() && !is_binary(c.collation)) tenant_collated = i;
      if (!c.usable) tenant_unusable = true;
    }
    if (!c.usable || c.op != Op::kEq) continue;
    if (c.column == kK) k = i;
    if (c.column == kNprobe) nprobe = i;
    if (c.column == kMinSimilarity) min_sim = i;
    if (c.column == kDiversity) diversity = i;
    if (c.column == kTenant) tenant = i;
    if (c.column == -1) rowid = i;
  }
  Plan p;
  if (has_match && tenant_collated >= 0) {
    p.outcome = Plan::Outcome::kError;
    p.error = std::string(table) +
              ".tenant: a MATCH filters tenants inside the search"
              " by exact (BINARY) comparison, so a tenant constraint with COLLATE " +
              std::string(q.constraints[tenant_collated].collation) +
              " cannot be honoured; expected tenant = ? without a collation (store tenant names"
              " in one case)";
    return p;
  }
  if (match >= 0) {
    pass(p, match, kPlanMatch);
    pass(p, k, kPlanK);
    pass(p, tenant, kPlanTenant);  // filtered inside the search
    pass(p, nprobe, kPlanNprobe);
    pass(p, min_sim, kPlanMinSimilarity);
    pass(p, diversity, kPlanDiversity);
    p.cost = tenant >= 0 ? 100.0 : tenant_unusable ? 1e12 : 1000.0;
    p.rows = 10;
    // Results come back best first: by utility (selection='utility', the default) or by
    // similarity (selection='similarity'), which is what ORDER BY ... DESC asks for. A
    // semantic-cache hit row comes first whatever its utility, so then SQLite sorts; so it
    // does when diversity (MMR) may reorder them.
    const bool by_utility = so.selection == SelectionKind::kUtility;
    if (q.order_by.size() == 1 && q.order_by[0].desc && diversity < 0 && so.diversity == 0 &&
        q.order_by[0].column == (by_utility ? kUtility : kSimilarity) && !(by_utility && so.hit_similarity))
      p.order_consumed = true;
    if (q.columns_used & (uint64_t{1} << kUtility)) p.idx_num |= kPlanUtilityUsed;
  } else if (match_unusable) {
    p.outcome = Plan::Outcome::kRetry;
  } else if (rowid >= 0) {
    pass(p, rowid, kPlanRowid);
    p.cost = 10.0;
    p.rows = 1;
    p.unique = true;
  } else {
    pass(p, k, kPlanK);  // k without MATCH: accept the plan so xFilter can explain the mistake
    p.cost = 1e6;
    p.rows = 1000000;
    if (q.order_by.size() == 1 && q.order_by[0].column == -1 && !q.order_by[0].desc)
      p.order_consumed = true;  // full scans go in rowid order
  }
  return p;
}

std::vector<int> filter_columns(int plan) {
  std::vector<int> out;
  for (const auto& [bit, column] : kFilterOrder)
    if (plan & bit) out.push_back(column);
  return out;
}

Plan plan_arguments(const Query& q, int first_arg, int count, double cost, double rows) {
  std::vector<int> which(count, -1);
  Plan p;
  for (int i = 0; i < static_cast<int>(q.constraints.size()); ++i) {
    const Constraint& c = q.constraints[i];
    if (c.column < first_arg || c.column >= first_arg + count || c.op != Constraint::Op::kEq) continue;
    if (!c.usable) {
      p.outcome = Plan::Outcome::kRetry;  // wait for a plan where the argument is known
      return p;
    }
    which[c.column - first_arg] = i;
  }
  for (int a = 0; a < count; ++a) pass(p, which[a], 1 << a);
  p.cost = cost;
  p.rows = static_cast<int64_t>(rows);
  return p;
}

}  // namespace iccache::table
