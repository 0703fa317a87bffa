// IndexCache: an in-memory IVF index together with the change-log position it reflects.
// Shared by the connections of a process that open the same file and table (see
// index_registry.h), or private to one connection (in-memory and temp databases, and a
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

#include "index/ivf_index.h"

namespace iccache::ext {

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

}  // namespace iccache::ext
