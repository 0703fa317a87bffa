#include "ext/sql/module.h"

#include "ext/sql/guard.h"

namespace iccache::ext {

table::Query query_of(sqlite3_index_info* info) {
  table::Query q;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    using Op = table::Constraint::Op;
    const Op op = c.op == SQLITE_INDEX_CONSTRAINT_EQ      ? Op::kEq
                  : c.op == SQLITE_INDEX_CONSTRAINT_MATCH ? Op::kMatch
                                                          : Op::kOther;
    const char* coll = op == Op::kEq ? sqlite3_vtab_collation(info, i) : nullptr;
    q.constraints.push_back({c.iColumn, op, c.usable != 0, coll ? coll : ""});
  }
  for (int i = 0; i < info->nOrderBy; ++i)
    q.order_by.push_back({info->aOrderBy[i].iColumn, info->aOrderBy[i].desc != 0});
  q.columns_used = info->colUsed;
  return q;
}

int apply_plan(sqlite3_vtab* vtab, sqlite3_index_info* info, const table::Plan& plan) {
  if (plan.outcome == table::Plan::Outcome::kRetry) return SQLITE_CONSTRAINT;
  if (plan.outcome == table::Plan::Outcome::kError) return set_error(vtab, SQLITE_ERROR, plan.error);
  int argi = 0;
  for (int i : plan.args) pass_to_filter(info, i, argi);
  info->idxNum = plan.idx_num;
  info->estimatedCost = plan.cost;
  info->estimatedRows = plan.rows;
  if (plan.unique) info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  if (plan.order_consumed) info->orderByConsumed = 1;
  return SQLITE_OK;
}

}  // namespace iccache::ext
