// After a kill: opens the file (SQLite recovers the hot journal or the WAL), checks that it
// is intact and holds exactly the workload's state for the last committed transaction.
#pragma once
#include <cstdint>
#include <string>

namespace iccache_rel {

struct CrashVerdict {
  int64_t committed = 0;  // transactions found committed in the file
  int64_t examples = 0;   // examples found
  // Rows in the IVF rows table not in use (ext/index/index_store.h): a background training
  // killed while writing them; nothing reads them, the next training empties the table.
  int64_t stale_rows = 0;
};

// acked: the last transaction whose COMMIT returned in the child; started: the last one it
// began. Throws std::runtime_error naming the first difference found.
CrashVerdict verify_after_crash(const std::string& db_path, const std::string& ext_path,
                                int64_t acked, int64_t started, uint64_t probe_seed);

}  // namespace iccache_rel
