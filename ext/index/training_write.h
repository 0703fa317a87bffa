// The two ends of a training against the shadow tables (engine/index/ivf_training.h does
// the computing in between): the snapshot it reads, and the write of its result.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_set>

#include "index/ivf_training.h"
#include "ext/index/index_cache.h"
#include "ext/store/change_log.h"

namespace iccache::ext {

struct Table;
struct TrainingStatus;

// The vectors of every example in id order, their tenants, and where the log stood.
struct Snapshot {
  index::TrainingSet set;
  std::optional<Change> at;  // the newest change-log entry in the snapshot
  int64_t epoch = 0;
};

// Reads every example's vector (and its tenant from the example row), not the loaded
// index nor T_index, so that training also repairs lists, list rows or centroids that are
// damaged or missing. Inside the caller's (read) transaction.
Snapshot read_snapshot(Table& t);

// The examples written after the snapshot: from the change log when it still reaches the
// snapshot's entry, else every example (then all are re-read and assigned).
std::unordered_set<int64_t> changed_since(Table& t, const Snapshot& snap);

// Writes a computed training (inside the caller's write transaction) and returns the
// index that reflects it, at the new epoch's log entry. `changed`: examples written after
// the snapshot; their rows are re-read and assigned with the new centroids (their lists,
// codes and index entries replace the snapshot's).
std::shared_ptr<IndexCache> write_training(Table& t, const index::TrainingSet& set, index::IvfTraining& tr,
                                           const std::unordered_set<int64_t>& changed, TrainingStatus* status);

}  // namespace iccache::ext
