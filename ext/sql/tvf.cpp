#include "ext/sql/tvf.h"

namespace iccache::ext {

int plan_hidden_args(sqlite3_index_info* info, int first_arg, int count, double cost,
                     double rows) {
  return apply_plan(nullptr, info, table::plan_arguments(query_of(info), first_arg, count, cost, rows));
}

void unpack_hidden_args(int mask, sqlite3_value** argv, sqlite3_value** args, int count) {
  int argi = 0;
  for (int a = 0; a < count; ++a) args[a] = (mask & (1 << a)) ? argv[argi++] : nullptr;
}

}  // namespace iccache::ext
