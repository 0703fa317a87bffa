// 'integrity-check': verifies that the shadow tables agree with each other and with the
// table's options. Returns one sentence per problem found (empty: all good).
#pragma once
#include <string>
#include <vector>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;
std::vector<std::string> check_integrity(Table& t);
// Throws SqlError(SQLITE_CORRUPT_VTAB) listing the first problems, when there are any.
void require_integrity(Table& t);

// SELECT iccache_integrity_check('ex') (functions.h) is the same check as the
// 'integrity-check' command, as a function that only reads, so it also runs on a read-only
// file (where SQLite refuses the INSERT that carries the command). Returns 'ok'.

}  // namespace iccache::ext
