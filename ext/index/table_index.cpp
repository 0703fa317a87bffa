// The glue of the in-memory vector index (engine/index/index_follower.h says how it
// follows the tables, common/cache_choice.h which index answers): the rows it reads, with
// SQL (Table::IndexSql), the process-wide state of the file (the registry,
// engine/index/shared_registry.h), the rows writes store, and the search entry point.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "index/index_follower.h"
#include "index/shared_registry.h"
#include "index/stored_form.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

// What the engine's follower reads, from the rows table in use (index_store.h) and
// T_vectors, as of this connection's view.
struct Table::IndexSql : index::IndexSource {
  explicit IndexSql(Table& table) : t(table) {}
  Table& t;

  ChangeFeed& log() override { return t.log; }
  int64_t epoch() override { return t.storage.state_int("epoch", 0); }
  int nprobe() override { return t.effective_nprobe(); }
  std::vector<float> centroids() override { return t.index_store.centroids(t.options.dim); }
  std::vector<float> sq8_ranges() override { return t.index_store.sq8_ranges(t.options.dim); }
  void for_each_row(bool vectors,
                    const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) override {
    t.index_store.for_each(vectors, fn);
  }
  std::vector<index::IndexRow> rows(const std::vector<int64_t>& ids, bool codes) override {
    const int slot = t.index_store.active_slot();  // a training switches the rows table
    Stmt& s = t.row_stmt_;
    if (!s || t.row_stmt_slot_ != slot) {
      s = Stmt(t.db, "SELECT i.list, i.tenant, i.code, v.vector FROM " + t.index_store.rows_table(slot) +
                         " AS i LEFT JOIN " + t.storage.shadow("vectors") + " AS v ON v.id = i.id WHERE i.id = ?");
      t.row_stmt_slot_ = slot;
    }
    return rows_by_id<index::IndexRow>(s, ids, [&](index::IndexRow& r) {
      r.list = static_cast<int>(s.int64(0));
      r.tenant = s.text(1);
      r.blob = s.blob(codes ? 2 : 3);
    });
  }
};

// The file of `schema` and its identity for the registry (engine/index/shared_registry.h);
// nullopt when the database has no file (":memory:", temp, a memdb URI).
std::optional<index::SharedTable> Table::find_shared_state() {
  if (sqlite3_stricmp(storage.schema().c_str(), "temp") == 0) return std::nullopt;
  const char* file = sqlite3_db_filename(db, storage.schema().c_str());
  if (!file || !*file) return std::nullopt;
  struct stat st {};
  if (::stat(file, &st) != 0) return std::nullopt;  // e.g. a memdb URI: no file of that name
  const int64_t instance = storage.state_int("identity", 0);  // tells apart DROP + CREATE
  return index::shared_table({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), name, instance,
                              options.dim, options.sq8},
                             file);
}

void Table::resolve_cache() {
  if (cache_resolved) return;
  shared = find_shared_state();
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

const std::optional<index::SharedTable>& Table::shared_state() {
  resolve_cache();
  return shared;
}

std::shared_ptr<TrainingStatus> Table::training_status() {
  resolve_cache();
  return training;
}

void Table::adopt_trained(std::shared_ptr<index::IndexCache> built) {
  resolve_cache();
  if (cache_shared) {
    own = std::move(built);  // shared after commit (index::offer_index in search)
    overlay.clear();
  } else {
    cache = std::move(built);
  }
}

void Table::ensure_assigner() {
  const int64_t epoch = storage.state_int("epoch", 0);
  if (assigner.holds(epoch)) return;
  std::vector<float> centroids = index_store.centroids(options.dim);
  std::vector<float> ranges = centroids.empty() ? std::vector<float>() : index_store.sq8_ranges(options.dim);
  assigner.load(epoch, std::move(centroids), std::move(ranges));
}

// Stores the example's list (and SQ8 code), chosen with the current training.
void Table::put_index_row(int64_t id, const float* vec, std::string_view tenant) {
  ensure_assigner();
  const index::Assigner::Placement p = assigner.place(vec);
  index_store.put(id, p.list, tenant, p.code.empty() ? nullptr : p.code.data(), p.code.size());
}

bool Table::fetch_vector(int64_t id, float* out) {
  if (!vec_stmt_) vec_stmt_ = Stmt(db, "SELECT vector FROM " + storage.shadow("vectors") + " WHERE id = ?");
  ResetOnExit done(vec_stmt_.reset().bind(1, id));
  if (!vec_stmt_.step()) return false;
  std::string_view b = vec_stmt_.blob(0);
  index::check_stored_blob(name, id, b.size(), false, options.dim);
  std::memcpy(out, b.data(), b.size());
  return true;
}

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
  IndexSql rows(*this);
  index::IndexFollower follower(rows, name, options.dim, options.sq8);
  index::Answer a = follower.search({*cache, cache_shared, own, overlay}, g,
                                    sqlite3_txn_state(db, storage.schema().c_str()) == SQLITE_TXN_WRITE, q, k,
                                    tenant, nprobe_override, fetch);
  search_exact = a.exact;
  note_ivf_search(static_cast<int64_t>(a.searched));
  return std::move(a.hits);
}

}  // namespace iccache::ext
