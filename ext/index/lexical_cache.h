// LexicalCache: the in-memory lexical index of a table (engine/lexical/lexical_index.h)
// with the change-log position it reflects. It is rebuilt from the request texts in T_data
// and the IDF counts in T_state ('lexical_idf'), and follows later writes through the
// change log exactly as the vector index does (index_cache.h, table_index.cpp): only the
// examples named by new entries are re-read; a kIdf entry (new IDF counts), a pruned or
// diverged entry, or too many entries reload.
//
// Concurrency as IndexCache: searches hold `mu` shared; applying changes or swapping in a
// reload holds it exclusively; `update_mu` serialises catch-ups.
#pragma once
#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include "lexical/lexical_index.h"

namespace iccache::ext {

struct LexicalCache {
  mutable std::shared_mutex mu;
  std::mutex update_mu;

  lexical::LexicalIndex index;
  bool loaded = false;
  int64_t seq = -1;  // change-log entry reflected (-1: none; any change reloads)
  int64_t gen = 0;
  // Counters for ex_stats / benchmarks.
  int64_t reloads = 0;
  int64_t applied_changes = 0;
  double load_seconds = 0;  // of the last reload
};

}  // namespace iccache::ext
