// Query plans of iccache's virtual tables (xBestIndex), decided over plain structs: ext/
// copies sqlite3_index_info's constraints and ORDER BY in (ext/sql/module.h constraints_of)
// and the Plan out (apply_plan), and holds no planning rule itself.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "options/select_options.h"

namespace iccache::table {

// What the iccache table's plan passes to its cursor (idxNum), and so which arguments
// xFilter receives, in this order: MATCH, k, tenant, nprobe, min_similarity, diversity (a
// MATCH), or rowid (a lookup), or k alone (a mistake xFilter explains).
enum PlanBits : int {
  kPlanMatch = 1,
  kPlanK = 2,
  kPlanTenant = 4,
  kPlanRowid = 8,
  kPlanNprobe = 16,
  kPlanUtilityUsed = 32,  // the utility column is read (selection='similarity' scores only then)
  kPlanMinSimilarity = 64,
  kPlanDiversity = 128,
};

// One WHERE constraint as SQLite offers it. column -1 is the rowid.
struct Constraint {
  enum class Op { kEq, kMatch, kOther };
  int column = 0;
  Op op = Op::kOther;
  bool usable = false;
  std::string_view collation;  // of an = constraint ("BINARY" unless COLLATE says otherwise)
};

// One ORDER BY term.
struct OrderTerm {
  int column = 0;
  bool desc = false;
};

// A query on a virtual table: its constraints, ORDER BY and the columns it reads (bit i:
// column i, as sqlite3_index_info's colUsed).
struct Query {
  std::vector<Constraint> constraints;
  std::vector<OrderTerm> order_by;
  uint64_t columns_used = 0;
};

struct Plan {
  enum class Outcome {
    kOk,
    kRetry,  // a needed constraint is not usable in this join order (SQLITE_CONSTRAINT)
    kError,  // a query that cannot be answered; `error` says why
  };
  Outcome outcome = Outcome::kOk;
  std::string error;
  int idx_num = 0;
  std::vector<int> args;  // constraint numbers, in the order xFilter reads them
  double cost = 0;
  int64_t rows = 0;
  bool unique = false;          // at most one row
  bool order_consumed = false;  // rows come in the ORDER BY's order
};

// The plan of the iccache table named `table` (ext/table/vtab_module.cpp) under its
// selection options `so`.
Plan plan_table_query(const Query& q, const SelectOptions& so, std::string_view table);

// The columns whose constraints plan `plan` of the iccache table passes to xFilter, in
// argv order (-1: the rowid).
std::vector<int> filter_columns(int plan);

// The plan of a table-valued function whose arguments are the = constraints on columns
// first_arg .. first_arg + count - 1: every one present goes to xFilter in column order,
// with idx_num = bit mask of those present (bit i: argument i). kRetry while an argument is
// not usable yet, so that SQLite picks a join order in which it is known.
Plan plan_arguments(const Query& q, int first_arg, int count, double cost, double rows);

}  // namespace iccache::table
