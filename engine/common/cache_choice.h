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

// A connection's caches of one table: `cache`, the table's (the process-wide one when
// `shared`, else the connection's own); `own`, the private index of a write transaction
// the overlay cannot serve; `overlay`, the write transaction's changes over the shared one.
template <class Cache, class Overlay>
struct ConnectionCaches {
  Cache& cache;
  bool shared;
  std::shared_ptr<Cache>& own;
  Overlay& overlay;
};

// The cache to search for generation g of a connection's view: ix.cache, or ix.own;
// nullptr when the shared cache and the overlay answered. in_write: the connection is
// inside a write transaction on the table's database. What one kind of index does at each
// step is its follower's (index/index_follower.h, lexical/lexical_follower.h):
//   f.catch_up(Cache& c, g, committed_only)            brings c to g (under c.update_mu)
//   f.update_overlay(Overlay& o, const Cache& shared, g) derives the overlay (false: it
//                                                      cannot serve)
//   f.make_cache() -> std::shared_ptr<Cache>            an empty private index
//   f.offer(Cache& shared, Cache& own)                  hands own to the shared cache
//                                                      when that is behind it
// and search_overlay() answers from the shared cache and the overlay (false: the shared
// cache has left the state the overlay was derived from).
template <class Cache, class Overlay, class Follower, class SearchOverlay>
Cache* answering_cache(bool in_write, int64_t g, ConnectionCaches<Cache, Overlay> ix, Follower& f,
                       SearchOverlay&& search_overlay) {
  auto sync = [&](Cache& c, bool committed_only) { sync_cache(c, g, [&] { f.catch_up(c, g, committed_only); }); };
  if (!ix.shared) {
    sync(ix.cache, false);
    return &ix.cache;
  }
  if (!in_write) {
    ix.overlay.clear();
    if (ix.own) {
      if (ix.own->loaded && ix.own->gen == g) f.offer(ix.cache, *ix.own);
      ix.own.reset();
    }
    sync(ix.cache, true);
    return &ix.cache;
  }
  if (!ix.own) {
    bool shared_loaded = false;
    {
      std::shared_lock lock(ix.cache.mu);
      shared_loaded = ix.cache.loaded;
    }
    if (shared_loaded && f.update_overlay(ix.overlay, ix.cache, g) && search_overlay()) return nullptr;
    ix.overlay.clear();
    ix.own = f.make_cache();
  }
  sync(*ix.own, false);
  return ix.own.get();
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
