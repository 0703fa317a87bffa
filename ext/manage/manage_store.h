// The example manager's part of the file. Per-example statistics live in extra columns of
// T_data (so they follow every delete, REPLACE and rowid change of the example for free and
// roll back with it):
//   quality_ema REAL, ema_count INTEGER, replays INTEGER, prev_quality REAL (NULL until the
//   first replay), replayed_at REAL (idem), value REAL (decayed offload successes, 1 for a
//   new example), recent_uses REAL (decayed uses), decay_at REAL (when value and
//   recent_uses were last decayed; NULL = created_at)
// next to the existing uses, offloads, gain and bytes. Feedback writes only those columns,
// never the 'generation' key, so it does not invalidate the vector index.
// The running total of `bytes` is the 'bytes' key of T_state, kept exact by Storage's write
// path (the only writer of T_data rows; no triggers, see drop_legacy_triggers), and the view
// T_replay lists the replay queue through the iccache_replay table-valued function.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "manage/eviction.h"
#include "manage/example_feedback.h"
#include "manage/example_stats.h"
#include "options/table_options.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

class Storage;

// Column definitions appended to T_data's CREATE TABLE (storage.cpp).
extern const char* const kManageDataColumns;

// The 'bytes' state row and the T_replay view (called from Storage).
void create_manage_schema(sqlite3* db, const std::string& schema, const std::string& table);
void drop_manage_schema(sqlite3* db, const std::string& schema, const std::string& table);
// After the shadow tables were renamed from `from` to `to`.
void rename_manage_schema(sqlite3* db, const std::string& schema, const std::string& from,
                          const std::string& to);

// Drops the triggers that files written by earlier versions carry on T_data (a defensive
// connection refuses to open such a file). Called at connect; does nothing on read-only
// files or when they are gone; a failure (busy) is left for the next connect.
void drop_legacy_triggers(sqlite3* db, const std::string& schema, const std::string& table);

// Reads and writes of the statistics columns of one table (Table::manage), through cached
// statements.
class ManageStore : public manage::StatsStore {
 public:
  explicit ManageStore(Storage& storage);

  bool read(int64_t id, manage::ExampleStats& out) override;
  void write(int64_t id, const manage::ExampleStats& s) override;
  // Total `bytes` of all examples (T_state 'bytes').
  int64_t total_bytes();
  // Total `bytes` of one tenant's examples.
  int64_t tenant_bytes(const std::string& tenant);
  // Every example (or every example of `tenant` when not null) as an eviction candidate,
  // in id order.
  std::vector<manage::EvictionCandidate> eviction_candidates(const std::string* tenant = nullptr);
  double quality(int64_t id);
  // Marks a replay: replays + 1, prev_quality, replayed_at = time, EMAs restarted.
  void record_replay(int64_t id, double prev_quality, double time);

 private:
  Storage* storage_;
  Stmt read_, write_, total_bytes_, tenant_bytes_, candidates_, tenant_candidates_, quality_, replay_;
};

}  // namespace iccache::ext
