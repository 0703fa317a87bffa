// Forget's glue (what forget does is engine/privacy/forget.h): the keys of
// INSERT INTO ex(ex, tenant) VALUES('forget', 'acme') / INSERT INTO ex(ex, user)
// VALUES('forget', 'u42'), and the forget store over the table, all with PRAGMA
// secure_delete on for the table's schema, so the freed bytes are zeroed.
// The caller then checkpoints the WAL (PRAGMA wal_checkpoint(TRUNCATE)) after COMMIT.
#pragma once
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// engine/privacy/forget.h over the table: `col` = the column values of the command INSERT
// (argv + 2); only tenant and user may be set.
void forget_command(Table& t, sqlite3_value** col);

}  // namespace iccache::ext
