#include "index/index_follower.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>

#include "common/cache_choice.h"
#include "common/error.h"
#include "index/stored_form.h"

namespace iccache::index {

void IndexFollower::check_row(int64_t id, int list, size_t bytes, bool codes, int nlist) const {
  check_stored_blob(table_, id, bytes, codes, dim_);
  if (list < 0 || list >= nlist)
    throw CorruptData(table_ + ": example " + std::to_string(id) + " is in list " + std::to_string(list) +
                      " but the index has " + std::to_string(nlist) + " lists");
}

void IndexFollower::load(IndexCache& c, int64_t g) {
  // Built aside, then swapped in: searches of the old state go on meanwhile.
  IvfIndex index(dim_, sq8_);
  const int np = src_.nprobe();
  std::vector<float> centroids = src_.centroids();
  if (!centroids.empty()) index.set_training(std::move(centroids), src_.sq8_ranges());
  const bool codes = index.sq8() && index.trained();
  src_.for_each_row(!codes, [&](int64_t id, int list, std::string_view tenant, std::string_view blob) {
    check_row(id, list, blob.size(), codes, index.nlist());
    // blob is a float32 vector or an SQ8 code; memcpy-free views are fine: add() copies.
    index.add(id, list, tenant, codes ? nullptr : reinterpret_cast<const float*>(blob.data()),
              codes ? reinterpret_cast<const uint8_t*>(blob.data()) : nullptr);
  });
  std::optional<Change> last = src_.log().last();
  const int64_t epoch = src_.epoch();
  std::unique_lock lock(c.mu);
  c.index = std::move(index);
  c.loaded = true;
  c.gen = g;
  c.seq = last && last->gen == g ? last->seq : -1;
  c.epoch = epoch;
  c.nprobe = np;
  ++c.reloads;
}

std::vector<IndexRow> IndexFollower::read_rows(const std::vector<int64_t>& ids, bool codes, int nlist) {
  std::vector<IndexRow> rows = src_.rows(ids, codes);
  for (const IndexRow& r : rows)
    if (r.present) check_row(r.id, r.list, r.blob.size(), codes, nlist);
  return rows;
}

void IndexFollower::catch_up(IndexCache& c, int64_t g, bool committed_only) {
  // A new epoch (training rewrote every list) reloads.
  catch_up_cache(c, src_.log(), g, committed_only, ChangeKind::kEpoch, [&] { load(c, g); },
                 [&](const std::vector<Change>& entries) {
                   const bool settings = std::any_of(entries.begin(), entries.end(), [](const Change& e) {
                     return e.kind == ChangeKind::kSettings;
                   });
                   // Read the changed rows first (outside the exclusive lock), then apply them in memory.
                   const bool codes = c.index.sq8() && c.index.trained();
                   std::vector<IndexRow> rows = read_rows(changed_examples(entries, false), codes, c.index.nlist());
                   const int np = settings ? src_.nprobe() : c.nprobe;
                   std::vector<float> vec(codes ? 0 : dim_);
                   std::unique_lock lock(c.mu);
                   for (const IndexRow& r : rows) {
                     if (!r.present) {
                       c.index.remove(r.id);
                       continue;
                     }
                     if (!codes) std::memcpy(vec.data(), r.blob.data(), vec.size() * sizeof(float));  // aligned copy
                     c.index.add(r.id, r.list, r.tenant, codes ? nullptr : vec.data(),
                                 codes ? reinterpret_cast<const uint8_t*>(r.blob.data()) : nullptr);
                   }
                   c.nprobe = np;
                   return lock;
                 });
}

bool IndexFollower::update_overlay(IndexOverlay& o, const IndexCache& shared, int64_t g) {
  auto derive = [&]() -> std::optional<LogPosition> {
    std::shared_lock lock(shared.mu);
    if (!shared.loaded || shared.seq < 0) return std::nullopt;
    o.base_seq = shared.seq;
    o.base_epoch = shared.epoch;
    return LogPosition{shared.seq, shared.gen};
  };
  auto settings = [&](const Change& e) {
    if (e.kind == ChangeKind::kSettings) o.nprobe = src_.nprobe();
  };
  // Retrained inside the transaction (kEpoch): every list moved, the overlay cannot serve.
  return follow_overlay(o, src_.log(), g, ChangeKind::kEpoch, derive, settings, [&](const std::vector<int64_t>& ids) {
    std::vector<float> vec(dim_);
    for (const IndexRow& r : read_rows(ids, false, std::numeric_limits<int>::max())) {
      o.changed.insert(r.id);
      if (!r.present) {
        o.rows.remove(r.id);
        continue;
      }
      std::memcpy(vec.data(), r.blob.data(), vec.size() * sizeof(float));
      o.rows.add(r.id, 0, r.tenant, vec.data(), nullptr);
    }
  });
}

std::vector<Hit> IndexFollower::search_overlay(const IndexCache& shared, const IndexOverlay& o, const float* q, int k,
                                               const std::string* tenant, int nprobe_override,
                                               const IvfIndex::FetchFn& fetch, bool& ok) {
  std::shared_lock lock(shared.mu);
  // The shared index may have moved on since the overlay was derived, but only along
  // committed entries this transaction already sees, and within the same epoch.
  ok = shared.loaded && shared.epoch == o.base_epoch && shared.seq >= o.base_seq;
  if (!ok) return {};
  const int np = nprobe_override > 0 ? nprobe_override : o.nprobe > 0 ? o.nprobe : shared.nprobe;
  IvfIndex::SkipFn skip;
  if (!o.changed.empty()) skip = [&o](int64_t id) { return o.changed.count(id) != 0; };
  std::vector<Hit> hits = shared.index.search(q, k, tenant, np, fetch, skip);
  lock.unlock();
  if (o.rows.size() == 0) return hits;
  std::vector<Hit> mine = o.rows.search(q, k, tenant, 1);
  hits.insert(hits.end(), mine.begin(), mine.end());
  std::sort(hits.begin(), hits.end(), better_hit);
  if (hits.size() > static_cast<size_t>(k)) hits.resize(k);
  return hits;
}

// Which index answers: common/cache_choice.h.
Answer IndexFollower::search(ConnectionIndexes ix, int64_t g, bool in_write, const float* q, int k,
                             const std::string* tenant, int nprobe_override, const IvfIndex::FetchFn& fetch) {
  Answer out;
  IndexCache* use = answering_cache(in_write, g, ix, *this, [&] {
    bool ok = false;
    out.hits = search_overlay(ix.cache, ix.overlay, q, k, tenant, nprobe_override, fetch, ok);
    return ok;
  });
  if (!use) {  // the shared index and the overlay answered
    out.exact = true;
    std::shared_lock lock(ix.cache.mu);
    out.searched = ix.cache.index.size();
  } else {
    std::shared_lock lock(use->mu);
    out.exact = use->gen == g;
    out.searched = use->index.size();
    out.hits = use->index.search(q, k, tenant, nprobe_override > 0 ? nprobe_override : use->nprobe, fetch);
  }
  return out;
}

}  // namespace iccache::index
