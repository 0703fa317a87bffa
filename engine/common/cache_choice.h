// Which cache answers a search (docs/architecture.md, "Many connections, one index"): one
// rule for the vector index and the lexical index, whose caches (index/index_cache.h,
// lexical/lexical_cache.h) have the same mu, update_mu, loaded, seq and gen.
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
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "common/change_feed.h"

namespace iccache {

// More changes than this (or than a fifth of the index) cost more to apply one by one
// than a reload: ~10 us each against ~2 us per vector for a reload of the vector index;
// the lexical index uses the same limit.
inline size_t catch_up_limit(size_t index_size) { return std::max<size_t>(2000, index_size / 5); }

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

// Brings cache c to generation g (the caller holds c.update_mu) by plan_catch_up
// (common/change_feed.h; an entry of kind `reload_on` reloads): nothing when c is a shared
// cache ahead of this view, reload(), or apply(entries), which reads the rows the entries
// name outside the exclusive lock, then applies them holding it and returns that lock, under
// which c's position moves to the last entry.
template <class Cache, class Reload, class Apply>
void catch_up_cache(Cache& c, ChangeFeed& log, int64_t g, bool committed_only, ChangeKind reload_on, Reload&& reload,
                    Apply&& apply) {
  const CatchUp plan = plan_catch_up(log, log_position(c), g, committed_only, catch_up_limit(c.index.size()), reload_on);
  if (plan.kind == CatchUp::kKeep) return;
  if (plan.kind == CatchUp::kReload) return reload();
  std::unique_lock<std::shared_mutex> lock = apply(plan.entries);
  c.seq = plan.entries.back().seq;
  c.gen = g;
  c.applied_changes += static_cast<int64_t>(plan.entries.size());
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

// The cache to search for generation g of a connection's view: `cache` (the table's: the
// process-wide one when `shared`, else the connection's own), or `own`, the private index
// of a write transaction; nullptr when try_overlay answered. in_write: the connection is
// inside a write transaction on the table's database.
template <class Cache, class Steps>
Cache* answering_cache(bool in_write, int64_t g, Cache& cache, bool shared, std::shared_ptr<Cache>& own,
                       Steps&& steps) {
  if (!shared) {
    steps.sync(cache, false);
    return &cache;
  }
  if (!in_write) {
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

// Brings a write transaction's overlay `o` (members valid, base_seq, last_seq, last_gen,
// changed, clear()) to generation g of the connection's view: extends it with the entries
// after the last one it covers, or derives it again from the shared cache's entry (first
// use in this transaction, or ROLLBACK TO / a failed statement took entries it covered).
// False (o cleared) when it cannot serve: no shared position, history diverged, an entry
// of kind `stop` (a new epoch for the vector index, new IDF counts for the lexical one), or
// more than catch_up_limit(0) changes.
//   derive()        clears nothing; takes the shared cache's position into o (base_*) and
//                   returns it, nullopt when the shared cache has none
//   on_entry(e)     sees every entry taken in (the vector index reads a new nprobe)
//   apply(ids)      reads the changed examples' current rows into o (changed, rows)
template <class Overlay, class Derive, class OnEntry, class Apply>
bool follow_overlay(Overlay& o, ChangeFeed& log, int64_t g, ChangeKind stop, Derive&& derive, OnEntry&& on_entry,
                    Apply&& apply) {
  if (o.valid && o.last_gen == g) return true;
  int64_t from = 0, base_gen = 0;
  if (o.valid && log.gen_at(o.last_seq) == o.last_gen) {
    from = o.last_seq;  // extend with this transaction's newer entries
  } else {
    o.clear();
    const std::optional<LogPosition> base = derive();
    if (!base || log.gen_at(base->seq) != base->gen) return false;
    from = base->seq;
    base_gen = base->gen;
  }
  std::vector<Change> entries;
  if (!log.after(from, catch_up_limit(0), entries) ||
      (entries.empty() ? from != o.base_seq || g != base_gen : entries.back().gen != g)) {
    o.clear();
    return false;
  }
  std::vector<int64_t> ids;
  for (const Change& e : entries) {
    if (e.kind == stop) {
      o.clear();
      return false;
    }
    on_entry(e);
    if (e.kind == ChangeKind::kExample) ids.push_back(e.id);
  }
  if (o.changed.size() + ids.size() > catch_up_limit(0)) {
    o.clear();
    return false;
  }
  // Nothing written since the shared index's entry (e.g. BEGIN IMMEDIATE, then MATCH): no read.
  if (!ids.empty()) apply(ids);
  o.last_seq = entries.empty() ? from : entries.back().seq;
  o.last_gen = g;
  o.valid = true;
  return true;
}

// Hands a privately built cache (vector or lexical) to the shared one `c`, unless `c`
// already holds that state or a later one; `copy_rest(to, from)` moves what only that kind
// has. `built` is left unloaded when taken.
template <class Cache, class CopyRest>
void offer_built(Cache& c, Cache& built, CopyRest copy_rest) {
  if (!built.loaded) return;
  std::lock_guard update(c.update_mu);
  if (c.loaded && c.gen == built.gen) return;
  if (c.loaded && c.seq >= 0 && built.seq >= 0 && c.seq > built.seq) return;  // shared is ahead
  std::unique_lock lock(c.mu);
  std::swap(c.index, built.index);
  c.loaded = true;
  c.seq = built.seq;
  c.gen = built.gen;
  copy_rest(c, built);
  built.loaded = false;
}

}  // namespace iccache
