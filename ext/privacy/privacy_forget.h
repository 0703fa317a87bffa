// Forget (docs/privacy.md): INSERT INTO ex(ex, tenant) VALUES('forget', 'acme') and
// INSERT INTO ex(ex, user) VALUES('forget', 'u42') (both: that user within that tenant).
// Removes the matching examples from every shadow table (data, vectors, index rows), the
// decisions that showed any of them with their request vectors and their selection samples,
// takes their rewards back out of the router's arm posteriors, refits the utility model when
// labelled samples went, retrains a trained IVF index (its centroids averaged the vectors),
// all with PRAGMA secure_delete on for the table's schema, so the freed bytes are zeroed.
// The caller then checkpoints the WAL (PRAGMA wal_checkpoint(TRUNCATE)) after COMMIT.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

struct ForgetCounts {
  int64_t examples = 0, decisions = 0, samples = 0, rewards_undone = 0;
};

// `col` = the column values of the command INSERT (argv + 2).
ForgetCounts forget_command(Table& t, sqlite3_value** col);

}  // namespace iccache::ext
