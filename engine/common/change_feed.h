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

}  // namespace iccache
