// The change log as the engine's caches read it. ext/store/change_log.h keeps it in the
// table's T_changes (one row per write, appended inside the writing transaction; its header
// says why each entry carries a random nonce) and implements ChangeFeed over it, so that a
// cache's rule for following the log lives with the cache, in the engine, and is tested
// without SQLite.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace iccache {

// 0 an example inserted, updated or deleted; 1 a new epoch (training or repair rewrote every
// list: index readers reload); 2 settings (nprobe); 3 new IDF counts of the lexical index;
// 4 an example's statistics (uses, offloads) changed by feedback.
enum class ChangeKind : int { kExample = 0, kEpoch = 1, kSettings = 2, kIdf = 3, kStats = 4 };

struct Change {
  int64_t seq = 0;  // position in the log
  int64_t id = 0;   // the example (kExample, kStats)
  ChangeKind kind = ChangeKind::kExample;
  int64_t gen = 0;  // the generation nonce the write stored
  int64_t n = 0;    // examples after the write
};

// The current row of an example an entry names, as a cache reads it back (the caches add
// what they hold of it): present false when the example has none (deleted).
struct ChangedRow {
  int64_t id = 0;
  bool present = false;
};

// What a cache reads of the log, as of the reader's view of the file.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Whether the log exists (files made before it get it at their first write).
  virtual bool exists() = 0;
  // The newest entry, if any.
  virtual std::optional<Change> last() = 0;
  // gen of entry seq, or nullopt when there is no such entry.
  virtual std::optional<int64_t> gen_at(int64_t seq) = 0;
  // Entries after seq in order into out; false (out partial) when there are more than limit.
  virtual bool after(int64_t seq, size_t limit, std::vector<Change>& out) = 0;
};

// How a cache that reflects log entry `at` reaches generation g of a reader's view
// (docs/architecture.md, "Consistency: one file, one truth"), the one rule of the vector and
// lexical indexes and selection's attribute cache:
//   kApply   `entries`, those after `at` up to the one that stored g, name what changed;
//   kKeep    a shared cache (committed_only: it holds committed states only) whose entry
//            this view lacks while the view's newest entry is older: the cache is ahead of
//            this snapshot (a long read transaction) and serves it as it is;
//   kReload  no usable position: none (`at` nullopt: never loaded, or loaded from a state
//            no entry describes), no log, pruned past it, history diverged (a rollback took
//            the entry; its seq now carries another nonce), more than `limit` entries (a
//            reload is cheaper), entries that do not end at g (a write by a version
//            without the log), or an entry of kind `reload_on` (for the vector index a new
//            epoch: training rewrote every list; for the lexical index new IDF counts).
struct LogPosition {
  int64_t seq = 0;
  int64_t gen = 0;
};
struct CatchUp {
  enum Kind { kApply, kKeep, kReload } kind = kReload;
  std::vector<Change> entries;
};
CatchUp plan_catch_up(ChangeFeed& log, std::optional<LogPosition> at, int64_t g, bool committed_only, size_t limit,
                      std::optional<ChangeKind> reload_on = std::nullopt);

// The examples `entries` name, each once, in order: kExample entries, and with_stats also
// kStats (feedback changed its statistics).
std::vector<int64_t> changed_examples(const std::vector<Change>& entries, bool with_stats);

}  // namespace iccache
