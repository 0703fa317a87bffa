// Arguments of table-valued functions (iccache_route, iccache_prompt, iccache_stats):
// like SQLite's json_each, each argument is an equality constraint on a hidden column.
#pragma once
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// xBestIndex for arguments in hidden columns first_arg .. first_arg + count - 1: passes
// every one present to xFilter in column order, with idxNum = bit mask of those present.
// Returns SQLITE_CONSTRAINT while an argument is not usable yet, so that SQLite picks a
// join order in which it is known.
int plan_hidden_args(sqlite3_index_info* info, int first_arg, int count, double cost,
                     double rows);

// xFilter's side: spreads argv over args[0 .. count) by the mask; absent ones stay null.
void unpack_hidden_args(int mask, sqlite3_value** argv, sqlite3_value** args, int count);

}  // namespace iccache::ext
