// Which cache answers a search (docs/architecture.md, "Many connections, one index"): one
// rule for the vector index (table_index.cpp) and the lexical index (lexical_table.cpp),
// whose caches (index_cache.h, lexical_cache.h) have the same mu, loaded, seq and gen.
//   - private databases (memory, temp): the connection's own cache, synced to its view
//     including its uncommitted writes;
//   - outside a write transaction: the process-wide cache, caught up to this view (or used
//     as it is when it is ahead of this snapshot). Every row this connection sees is
//     committed then, so an own index that reflects exactly this view (after 'optimize', or
//     a transaction that needed one) is handed to the shared one first (no reload for the
//     others);
//   - inside a write transaction: the shared cache plus this connection's overlay of the
//     changes the shared one lacks (its own uncommitted writes among them), or, when that
//     cannot serve (no shared index loaded yet, retrained or recounted inside the
//     transaction, too many changes), a private index for the rest of the transaction.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "common/change_feed.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// The change-log entry a cache reflects (common/change_feed.h), nullopt when none: not
// loaded, or loaded from a state no entry describes (seq -1).
template <class Cache>
std::optional<LogPosition> log_position(const Cache& c) {
  return c.loaded && c.seq >= 0 ? std::optional<LogPosition>({c.seq, c.gen}) : std::nullopt;
}

// Brings cache c to generation g unless it is there: checked under the shared lock, then
// again under update_mu, which serialises catch_up() (reading rows outside the exclusive
// lock, so searches go on meanwhile).
template <class Cache, class CatchUpFn>
void sync_cache(Cache& c, int64_t g, CatchUpFn&& catch_up) {
  {
    std::shared_lock lock(c.mu);
    if (c.loaded && c.gen == g) return;
  }
  std::lock_guard update(c.update_mu);
  if (!(c.loaded && c.gen == g)) catch_up();
}

// What one kind of index does at each step of the rule:
//   sync(Cache& c, bool committed_only)  brings c to the searched generation
//   offer(Cache& shared, Cache& own)     hands own to the shared cache when it is behind
//   clear_overlay()                      drops the write transaction's overlay
//   try_overlay() -> bool                answers from the shared cache and the overlay
//                                        (true: answered; false: the overlay cannot serve)
//   make_own() -> std::shared_ptr<Cache> an empty private index
template <class Sync, class Offer, class ClearOverlay, class TryOverlay, class MakeOwn>
struct CacheSteps {
  Sync sync;
  Offer offer;
  ClearOverlay clear_overlay;
  TryOverlay try_overlay;
  MakeOwn make_own;
};
// Spelled out: clang 14 deduces no aggregate's template arguments by itself (C++20's
// aggregate deduction arrived in clang 17), and the sanitizer stages build with it.
template <class Sync, class Offer, class ClearOverlay, class TryOverlay, class MakeOwn>
CacheSteps(Sync, Offer, ClearOverlay, TryOverlay, MakeOwn) -> CacheSteps<Sync, Offer, ClearOverlay, TryOverlay, MakeOwn>;

// The cache to search for generation g of `db`'s view of `schema`: `cache` (the table's:
// the process-wide one when `shared`, else the connection's own), or `own`, the private
// index of a write transaction; nullptr when try_overlay answered.
template <class Cache, class Steps>
Cache* answering_cache(sqlite3* db, const std::string& schema, int64_t g, Cache& cache, bool shared,
                       std::shared_ptr<Cache>& own, Steps&& steps) {
  if (!shared) {
    steps.sync(cache, false);
    return &cache;
  }
  if (sqlite3_txn_state(db, schema.c_str()) != SQLITE_TXN_WRITE) {
    steps.clear_overlay();
    if (own) {
      if (own->loaded && own->gen == g) steps.offer(cache, *own);
      own.reset();
    }
    steps.sync(cache, true);
    return &cache;
  }
  if (!own) {
    bool shared_loaded = false;
    {
      std::shared_lock lock(cache.mu);
      shared_loaded = cache.loaded;
    }
    if (shared_loaded && steps.try_overlay()) return nullptr;
    steps.clear_overlay();
    own = steps.make_own();
  }
  steps.sync(*own, false);
  return own.get();
}

}  // namespace iccache::ext
