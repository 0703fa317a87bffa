// The two ends of a training against the shadow tables (engine/index/ivf_training.h does
// the computing in between): the snapshot it reads, and the write of its result, either
// in place inside the caller's transaction (write_training) or, for a background training,
// in small transactions into the rows table not in use (training_stage.h), which share the
// pieces below.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "index/ivf_training.h"
#include "ext/index/index_cache.h"
#include "ext/index/index_registry.h"
#include "ext/store/change_log.h"

namespace iccache::ext {

struct Table;

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

// The examples written after log entry `at` (from the change log when it still reaches
// `at` with the same nonce, else every example: then all are re-read and assigned), and
// the newest entry now. `snapshot_ids`: the examples the training read.
std::unordered_set<int64_t> changed_since(Table& t, const std::optional<Change>& at,
                                          const std::vector<int64_t>& snapshot_ids, std::optional<Change>* newest);

// Re-reads the rows of changed[from...] as they are now and writes them into rows table
// `slot` with the new training (nearest new list, code), or deletes them there (deleted
// meanwhile); the built index follows. Stops at the end or, checked every 16 rows, once
// steady_clock_now() (common/clock.h) passes `until`; returns where it stopped. Inside the
// caller's write transaction.
size_t apply_changes(Table& t, index::IvfTraining& tr, const std::vector<int64_t>& changed, size_t from, int slot,
                     double until);

// Stores the training (centroids, ranges, tuning, phase times, a new epoch logged) once its
// rows are written, inside the caller's write transaction, and returns the index that
// reflects it. write_s: seconds spent writing rows.
std::shared_ptr<IndexCache> finish_training(Table& t, index::IvfTraining& tr, double write_s);

// A training inside the caller's write transaction ('optimize', forget, in-memory tables):
// rewrites every row of the rows table in use, then finish_training.
std::shared_ptr<IndexCache> write_training(Table& t, const index::TrainingSet& set, index::IvfTraining& tr,
                                           TrainingStatus* status);

}  // namespace iccache::ext
