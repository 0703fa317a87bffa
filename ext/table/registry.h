// How SQL functions such as iccache_route('ex', ...) reach the iccache table a name means.
//
// The name resolves exactly as SQL resolves it: 'ex' is temp.ex, else main.ex, else the first
// attached database holding ex; 'aux.ex' (either part may be quoted: '"aux"."my table"')
// names one schema. The object returned is the one SQLite itself uses for that table now:
// find_table prepares a statement on the name and records which table object SQLite plans
// it on (note_planned, called from xBestIndex). So a table object that a cached statement
// still holds after DETACH/ATTACH, DROP + CREATE by another connection or a rolled-back
// CREATE is never used by a function.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// Called by the iccache module's xBestIndex: records t when find_table is resolving a name.
void note_planned(Table* t);

// The iccache table `name` of connection db (see above). Throws iccache::Error naming
// `function` when there is no such table, or when the name is empty, holds a NUL byte or
// names a table that is not an iccache table.
Table* find_table(sqlite3* db, std::string_view name, std::string_view function);

// For the ex_stats / ex_replay views: the table named `name` whose identity (T_state key
// 'identity', written at CREATE) is `identity`, whatever schema holds it. A view in an
// attached database passes its own table's identity, so it reads that table and not a
// same-named one of temp or main. Without an identity (NULL: a file created before
// identities existed), the name resolves as in find_table.
Table* find_table_by_identity(sqlite3* db, std::string_view name,
                              std::optional<int64_t> identity, std::string_view function);

// The table_identity argument of iccache_stats / iccache_replay: absent or NULL means none.
std::optional<int64_t> identity_arg(sqlite3_value* v);

}  // namespace iccache::ext
