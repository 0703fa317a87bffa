// LexicalCache: the in-memory lexical index of a table (engine/lexical/lexical_index.h)
// with the change-log position it reflects. It is rebuilt from the request texts in T_data
// and the IDF counts in T_idf, and follows later writes through the change log exactly as
// the vector index does (index/index_cache.h): only the
// examples named by new entries are re-read; a kIdf entry (new IDF counts), a pruned or
// diverged entry, or too many entries reload.
//
// Shared like the vector index (index/shared_registry.h): the connections of a process on one
// file and table use one LexicalCache holding committed states only; a connection inside
// a write transaction adds a LexicalOverlay of the rows changed since (common/cache_choice.h).
//
// Concurrency as IndexCache: searches hold `mu` shared; applying changes or swapping in a
// reload holds it exclusively; `update_mu` serialises catch-ups. Fields below `mu` are
// written only with both locks held, so a holder of either may read.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>

#include "common/stat_rows.h"
#include "lexical/lexical_index.h"

namespace iccache::lexical {

struct LexicalCache {
  mutable std::shared_mutex mu;
  std::mutex update_mu;

  LexicalIndex index;
  bool loaded = false;
  int64_t seq = -1;  // change-log entry reflected (-1: none; any change reloads)
  int64_t gen = 0;
  // Counters for ex_stats / benchmarks.
  int64_t reloads = 0;
  int64_t applied_changes = 0;
  double load_seconds = 0;  // of the last reload
};

// A connection's changes on top of the shared lexical index while it is inside a write
// transaction (as IndexOverlay for the vector index): the ids changed since the shared
// index's entry `base_seq`, left out of its answers, and the current rows of those that
// exist in this connection's view, indexed with the shared index's IDF counts (`idf`: the
// same object, so the weights are the same bits). A new IDF count inside the transaction
// cannot be served this way (every weight moves): the connection then uses a private index.
struct LexicalOverlay {
  void clear() {
    valid = false;
    changed.clear();
    rows = LexicalIndex();
    idf.reset();
  }
  bool valid = false;
  int64_t base_seq = 0;
  int64_t last_seq = 0, last_gen = 0;  // the newest entry it covers
  std::shared_ptr<const IdfTable> idf;
  std::unordered_set<int64_t> changed;
  LexicalIndex rows;
};

// The same as index::offer_index for a lexical index (a connection's private one, after its
// commit).
void offer_lexical(LexicalCache& shared, LexicalCache& built);

// The ex_stats rows of a connection's lexical index, as index::cache_stats.
void cache_stats(const LexicalCache& l, int64_t shared_by, StatRows& out);

}  // namespace iccache::lexical
