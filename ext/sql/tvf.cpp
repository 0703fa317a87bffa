#include "ext/sql/tvf.h"

#include <vector>

namespace iccache::ext {

int plan_hidden_args(sqlite3_index_info* info, int first_arg, int count, double cost,
                     double rows) {
  std::vector<int> which(count, -1);
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.iColumn < first_arg || c.iColumn >= first_arg + count ||
        c.op != SQLITE_INDEX_CONSTRAINT_EQ)
      continue;
    if (!c.usable) return SQLITE_CONSTRAINT;  // wait for a plan where the argument is known
    which[c.iColumn - first_arg] = i;
  }
  int mask = 0, argi = 0;
  for (int a = 0; a < count; ++a) {
    if (which[a] < 0) continue;
    mask |= 1 << a;
    pass_to_filter(info, which[a], argi);
  }
  info->idxNum = mask;
  info->estimatedCost = cost;
  info->estimatedRows = static_cast<sqlite3_int64>(rows);
  return SQLITE_OK;
}

void unpack_hidden_args(int mask, sqlite3_value** argv, sqlite3_value** args, int count) {
  int argi = 0;
  for (int a = 0; a < count; ++a) args[a] = (mask & (1 << a)) ? argv[argi++] : nullptr;
}

}  // namespace iccache::ext
