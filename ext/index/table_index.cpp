// Which in-memory index a connection searches, and how it follows the tables.
//
// Every write appends a change-log entry (change_log.h) with a fresh random generation
// nonce, also stored in T_state. An index remembers the (seq, gen) of the entry it
// reflects. Before a search, the stored generation is read (one indexed read):
//   - equal to the index's gen: nothing to do;
//   - else, when the log still holds the index's entry with the same nonce, the entries
//     after it name the examples written since; only their rows are read and applied
//     (a rolled-back entry cannot match: its row is gone or the seq was reused with
//     another nonce);
//   - else (entry pruned, history diverged, a new training epoch, too many changes, or
//     the newest entry's nonce is not the stored generation: a write by an older
//     version), the index is reloaded from the tables.
#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "ext/index/cache_choice.h"
#include "ext/index/index_registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
// More changes than this (or than a tenth of the index) cost more to apply one by one
// than a reload: ~10 us each against ~2 us per vector for a reload.
size_t catch_up_limit(size_t index_size) { return std::max<size_t>(2000, index_size / 5); }

SqlError corrupt_blob(const std::string& table, int64_t id, bool codes, size_t got, size_t expect) {
  return SqlError(SQLITE_CORRUPT_VTAB,
                  table + ": the stored " + (codes ? "code" : "vector") + " of example " +
                      std::to_string(id) + " has " + std::to_string(got) + " bytes; expected " +
                      std::to_string(expect) + " (run INSERT INTO " + table + "(" + table +
                      ") VALUES('integrity-check'))");
}

SqlError corrupt_list(const std::string& table, int64_t id, int list, int nlist) {
  return SqlError(SQLITE_CORRUPT_VTAB, table + ": example " + std::to_string(id) + " is in list " +
                                           std::to_string(list) + " but the index has " +
                                           std::to_string(nlist) + " lists");
}
}  // namespace

void Table::load_full(IndexCache& c, int64_t g) {
  // Built aside, then swapped in: searches of the old state go on meanwhile.
  index::IvfIndex index(options.dim, options.sq8);
  const int np = effective_nprobe();
  std::vector<float> centroids = index_store.centroids(options.dim);
  if (!centroids.empty()) index.set_training(std::move(centroids), index_store.sq8_ranges(options.dim));
  const bool codes = index.sq8() && index.trained();
  const size_t expect = codes ? static_cast<size_t>(options.dim) : sizeof(float) * options.dim;
  index_store.for_each(!codes, [&](int64_t id, int list, std::string_view tenant, std::string_view blob) {
    if (blob.size() != expect) throw corrupt_blob(name, id, codes, blob.size(), expect);
    if (list < 0 || list >= index.nlist()) throw corrupt_list(name, id, list, index.nlist());
    // blob is a float32 vector or an SQ8 code; memcpy-free views are fine: add() copies.
    index.add(id, list, tenant, codes ? nullptr : reinterpret_cast<const float*>(blob.data()),
              codes ? reinterpret_cast<const uint8_t*>(blob.data()) : nullptr);
  });
  std::optional<Change> last = log.last();
  const int64_t epoch = storage.state_int("epoch", 0);
  std::unique_lock lock(c.mu);
  c.index = std::move(index);
  c.loaded = true;
  c.gen = g;
  c.seq = last && last->gen == g ? last->seq : -1;
  c.epoch = epoch;
  c.nprobe = np;
  ++c.reloads;
}

std::vector<Table::RowRead> Table::read_rows(const std::vector<int64_t>& ids, bool codes, int nlist) {
  const size_t expect = codes ? static_cast<size_t>(options.dim) : sizeof(float) * options.dim;
  const int slot = index_store.active_slot();  // a training switches the rows table
  if (!row_stmt_ || row_stmt_slot_ != slot) {
    row_stmt_ = Stmt(db, "SELECT i.list, i.tenant, i.code, v.vector FROM " + index_store.rows_table(slot) +
                             " AS i LEFT JOIN " + storage.shadow("vectors") + " AS v ON v.id = i.id WHERE i.id = ?");
    row_stmt_slot_ = slot;
  }
  return rows_by_id<RowRead>(row_stmt_, ids, [&](RowRead& r) {
    r.list = static_cast<int>(row_stmt_.int64(0));
    r.tenant = row_stmt_.text(1);
    r.blob = row_stmt_.blob(codes ? 2 : 3);
    if (r.blob.size() != expect) throw corrupt_blob(name, r.id, codes, r.blob.size(), expect);
    if (r.list < 0 || r.list >= nlist) throw corrupt_list(name, r.id, r.list, nlist);
  });
}

void Table::catch_up(IndexCache& c, int64_t g, bool committed_only) {
  // Caller holds c.update_mu. The rule: common/change_feed.h plan_catch_up.
  const CatchUp plan = plan_catch_up(log, log_position(c), g, committed_only, catch_up_limit(c.index.size()),
                                     ChangeKind::kEpoch);
  if (plan.kind == CatchUp::kKeep) return;
  if (plan.kind == CatchUp::kReload) return load_full(c, g);
  const std::vector<Change>& entries = plan.entries;
  const bool settings = std::any_of(entries.begin(), entries.end(),
                                    [](const Change& e) { return e.kind == ChangeKind::kSettings; });
  const std::vector<int64_t> ids = changed_examples(entries, false);
  // Read the changed rows first (outside the exclusive lock), then apply them in memory.
  const bool codes = c.index.sq8() && c.index.trained();
  std::vector<RowRead> rows = read_rows(ids, codes, c.index.nlist());
  const int np = settings ? effective_nprobe() : c.nprobe;
  std::vector<float> vec(codes ? 0 : options.dim);
  std::unique_lock lock(c.mu);
  for (const RowRead& r : rows) {
    if (!r.present) {
      c.index.remove(r.id);
      continue;
    }
    if (!codes) std::memcpy(vec.data(), r.blob.data(), vec.size() * sizeof(float));  // aligned copy
    c.index.add(r.id, r.list, r.tenant, codes ? nullptr : vec.data(),
                codes ? reinterpret_cast<const uint8_t*>(r.blob.data()) : nullptr);
  }
  c.seq = entries.back().seq;
  c.gen = g;
  c.nprobe = np;
  c.applied_changes += static_cast<int64_t>(entries.size());
}

void Table::sync(IndexCache& c, int64_t g, bool committed_only) {
  sync_cache(c, g, [&] { catch_up(c, g, committed_only); });
}

void Table::resolve_cache() {
  if (cache_resolved) return;
  const int64_t instance = storage.state_int("identity", 0);  // tells apart DROP + CREATE
  shared = shared_table(db, storage.schema(), name, instance, options.dim, options.sq8);
  cache_resolved = true;  // only now: a failed read (busy, say) is retried by the next statement
  if (shared) {
    cache = std::move(shared->cache);  // held once per connection (index_shared_by counts them)
    training = shared->training;
    cache_shared = true;
    if (lexical_on()) {
      lexical = std::move(shared->lexical);  // lexical_shared_by counts them
      lexical_shared = true;
    }
    shared->lexical.reset();
  }
}

const std::optional<SharedTable>& Table::shared_state() {
  resolve_cache();
  return shared;
}

std::shared_ptr<TrainingStatus> Table::training_status() {
  resolve_cache();
  return training;
}

bool Table::update_overlay(int64_t g) {
  IndexOverlay& o = overlay;
  if (o.valid && o.last_gen == g) return true;
  int64_t from = 0, base_gen = 0;
  if (o.valid && log.gen_at(o.last_seq) == o.last_gen) {
    from = o.last_seq;  // extend with this transaction's newer entries
  } else {
    o.clear();  // first use in this transaction, or ROLLBACK TO / a failed statement
    int64_t base_seq = 0, base_epoch = 0;
    {
      std::shared_lock lock(cache->mu);
      if (!cache->loaded || cache->seq < 0) return false;
      base_seq = cache->seq;
      base_gen = cache->gen;
      base_epoch = cache->epoch;
    }
    if (log.gen_at(base_seq) != base_gen) return false;
    o.base_seq = base_seq;
    o.base_epoch = base_epoch;
    from = base_seq;
  }
  std::vector<Change> entries;
  if (!log.after(from, catch_up_limit(0), entries) || (entries.empty() ? from != o.base_seq || g != base_gen
                                                                       : entries.back().gen != g)) {
    o.clear();
    return false;
  }
  if (entries.empty()) {  // nothing written since the shared index's entry (e.g. BEGIN IMMEDIATE, then MATCH)
    o.last_seq = from;
    o.last_gen = g;
    o.valid = true;
    return true;
  }
  std::vector<int64_t> ids;
  for (const Change& e : entries) {
    if (e.kind == ChangeKind::kEpoch) {  // retrained inside the transaction
      o.clear();
      return false;
    }
    if (e.kind == ChangeKind::kSettings) o.nprobe = effective_nprobe();
    if (e.kind == ChangeKind::kExample) ids.push_back(e.id);
  }
  if (o.changed.size() + ids.size() > catch_up_limit(0)) {
    o.clear();
    return false;
  }
  std::vector<float> vec(options.dim);
  for (const RowRead& r : read_rows(ids, false, std::numeric_limits<int>::max())) {
    o.changed.insert(r.id);
    if (!r.present) {
      o.rows.remove(r.id);
      continue;
    }
    std::memcpy(vec.data(), r.blob.data(), vec.size() * sizeof(float));
    o.rows.add(r.id, 0, r.tenant, vec.data(), nullptr);
  }
  o.last_seq = entries.back().seq;
  o.last_gen = g;
  o.valid = true;
  return true;
}

void Table::adopt_trained(std::shared_ptr<IndexCache> built) {
  resolve_cache();
  if (cache_shared) {
    own = std::move(built);  // shared after commit (offer_index in search)
    overlay.clear();
  } else {
    cache = std::move(built);
  }
}

void Table::ensure_assigner() {
  const int64_t epoch = storage.state_int("epoch", 0);
  if (assigner_loaded && epoch == assigner_epoch) return;
  index::IvfIndex a(options.dim, options.sq8);
  std::vector<float> centroids = index_store.centroids(options.dim);
  if (!centroids.empty()) a.set_training(std::move(centroids), index_store.sq8_ranges(options.dim));
  assigner = std::move(a);
  assigner_epoch = epoch;
  assigner_loaded = true;
}

// Stores the example's list (and SQ8 code), chosen with the current training.
void Table::put_index_row(int64_t id, const float* vec, std::string_view tenant) {
  ensure_assigner();
  const int list = assigner.assign(vec);
  std::vector<uint8_t> code;
  if (assigner.sq8() && assigner.trained()) {
    code.resize(options.dim);
    assigner.encode(vec, code.data());
  }
  index_store.put(id, list, tenant, code.empty() ? nullptr : code.data(), code.size());
}

bool Table::fetch_vector(int64_t id, float* out) {
  if (!vec_stmt_) vec_stmt_ = Stmt(db, "SELECT vector FROM " + storage.shadow("vectors") + " WHERE id = ?");
  vec_stmt_.reset().bind(1, id);
  bool ok = false;
  if (vec_stmt_.step()) {
    std::string_view b = vec_stmt_.blob(0);
    if (b.size() != sizeof(float) * static_cast<size_t>(options.dim)) {
      vec_stmt_.reset();
      throw corrupt_blob(name, id, false, b.size(), sizeof(float) * options.dim);
    }
    std::memcpy(out, b.data(), b.size());
    ok = true;
  }
  vec_stmt_.reset();
  return ok;
}

std::vector<index::Hit> Table::search_with_overlay(const float* q, int k, const std::string* tenant,
                                           int nprobe_override, const index::IvfIndex::FetchFn& fetch, bool& ok) {
  std::shared_lock lock(cache->mu);
  // The shared index may have moved on since the overlay was derived, but only along
  // committed entries this transaction already sees, and within the same epoch.
  ok = cache->loaded && cache->epoch == overlay.base_epoch && cache->seq >= overlay.base_seq;
  if (!ok) return {};
  const int np = nprobe_override > 0 ? nprobe_override : overlay.nprobe > 0 ? overlay.nprobe : cache->nprobe;
  index::IvfIndex::SkipFn skip;
  if (!overlay.changed.empty()) skip = [this](int64_t id) { return overlay.changed.count(id) != 0; };
  std::vector<index::Hit> hits = cache->index.search(q, k, tenant, np, fetch, skip);
  lock.unlock();
  if (overlay.rows.size() == 0) return hits;
  std::vector<index::Hit> mine = overlay.rows.search(q, k, tenant, 1);
  hits.insert(hits.end(), mine.begin(), mine.end());
  std::sort(hits.begin(), hits.end(), [](const index::Hit& a, const index::Hit& b) {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
  });
  if (hits.size() > static_cast<size_t>(k)) hits.resize(k);
  return hits;
}

// Which index answers: cache_choice.h.
std::vector<index::Hit> Table::search(const float* q, int k, const std::string* tenant, int nprobe_override) {
  resolve_cache();
  const int64_t g = storage.generation();
  searched_generation = g;
  // SQ8 candidates are re-ranked with their float32 vectors. An id this connection's
  // snapshot lacks (a shared index can be ahead of a long read transaction) gets a zero
  // vector, and the cursor skips ids without a row.
  auto fetch = [this](const std::vector<int64_t>& ids, float* out) {
    for (size_t i = 0; i < ids.size(); ++i) {
      float* v = out + i * options.dim;
      if (!fetch_vector(ids[i], v)) std::fill(v, v + options.dim, 0.0f);
    }
  };
  std::vector<index::Hit> hits;
  IndexCache* use = answering_cache(
      db, storage.schema(), g, *cache, cache_shared, own,
      CacheSteps{[&](IndexCache& c, bool committed_only) { sync(c, g, committed_only); },
                 [](IndexCache& shared, IndexCache& built) { offer_index(shared, built); },
                 [&] { overlay.clear(); },
                 [&] {
                   bool ok = false;
                   if (update_overlay(g)) hits = search_with_overlay(q, k, tenant, nprobe_override, fetch, ok);
                   return ok;
                 },
                 [&] { return std::make_shared<IndexCache>(options.dim, options.sq8); }});
  size_t n = 0;
  if (!use) {  // the shared index and the overlay answered
    search_exact = true;
    std::shared_lock lock(cache->mu);
    n = cache->index.size();
  } else {
    std::shared_lock lock(use->mu);
    search_exact = use->gen == g;
    n = use->index.size();
    hits = use->index.search(q, k, tenant, nprobe_override > 0 ? nprobe_override : use->nprobe, fetch);
  }
  note_ivf_search(static_cast<int64_t>(n));
  return hits;
}

}  // namespace iccache::ext
