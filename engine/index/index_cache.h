// IndexCache: an in-memory IVF index together with the change-log position it reflects.
// Shared by the connections of a process that open the same file and table (see
// shared_registry.h), or private to one connection (in-memory and temp databases, and a
// connection whose own uncommitted writes retrained the index).
//
// Concurrency: searches hold `mu` shared; applying changes or swapping in a reload holds it
// exclusively, only for the in-memory work. `update_mu` serialises the catch-ups themselves
// (reading the changed rows happens under it, outside `mu`, so searches go on meanwhile).
// Fields below `mu` are written only with both locks held, so a holder of either may read.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "common/stat_rows.h"
#include "index/ivf_index.h"

namespace iccache::index {

struct IndexCache {
  IndexCache(int dim, bool sq8) : index(dim, sq8) {}

  mutable std::shared_mutex mu;
  std::mutex update_mu;

  IvfIndex index;
  bool loaded = false;
  // Position in the change log: the entry seq whose nonce gen is the state held. seq = -1:
  // loaded from a file state no log entry describes (no log yet, or a write by an older
  // version); any change then reloads.
  int64_t seq = -1;
  int64_t gen = 0;
  int64_t epoch = 0;  // T_state 'epoch' of the training held (0: none recorded)
  int nprobe = 1;     // nprobe for queries without one (command, option or tuned value)
  // Counters for ex_stats / benchmarks.
  int64_t reloads = 0;
  int64_t applied_changes = 0;
};

// A connection's own uncommitted changes, on top of the shared committed index while the
// connection is inside a write transaction (read-your-writes without letting other
// connections see them): the ids changed since the shared index's entry `base_seq` and,
// for those that exist in this connection's view, their current vectors. Derived from the
// change log, so ROLLBACK TO and failed statements are followed the same way as commits.
struct IndexOverlay {
  explicit IndexOverlay(int dim) : rows(dim, false) {}
  void clear() {
    valid = false;
    changed.clear();
    rows.clear();
    nprobe = 0;
  }
  bool valid = false;
  int64_t base_seq = 0, base_epoch = 0;  // the shared state it was derived from
  int64_t last_seq = 0, last_gen = 0;    // the newest entry it covers
  int nprobe = 0;                        // > 0: an nprobe command inside the transaction
  std::unordered_set<int64_t> changed;   // left out of the shared index's answers
  IvfIndex rows;                         // flat: the changed examples that exist now
};

// Hands `built` (an index that reflects a committed state: a training just committed, or a
// connection's private index after its commit) to the shared cache, unless the shared one
// already reflects that state or a later one. `built` is left empty when taken.
void offer_index(IndexCache& shared, IndexCache& built);

// The ex_stats rows of a connection's index: what it holds, how it has followed the tables,
// and how many connections of this process share it (`shared_by`, 0 for a private one).
void cache_stats(const IndexCache& c, int64_t shared_by, StatRows& out);

}  // namespace iccache::index
