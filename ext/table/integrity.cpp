#include "ext/table/integrity.h"

#include <algorithm>

#include "common/integrity.h"
#include "ext/functions.h"
#include "ext/sql/args.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"
#include "index/ivf_training.h"

namespace iccache::ext {

namespace {

// IVF: one T_index row per example (same tenant), lists that exist, codes of the right
// size, centroids that match the training, and an in-memory index that matches the rows.
void check_index(Table& t, std::vector<std::string>& out, int64_t rows) {
  sqlite3* db = t.db;
  // The rows table in use (index_store.h); the other one's rows mean nothing.
  int slot = 0;
  try {
    slot = t.index_store.active_slot();
  } catch (const std::exception& e) {
    out.push_back(t.name + "_state: " + e.what());
    return;
  }
  const std::string data = t.storage.shadow("data"), index = t.index_store.rows_table(slot);
  const std::string index_name = t.name + (slot == 0 ? "_index" : "_index_alt");
  const int dim = t.options.dim;
  Stmt orphans(db, "SELECT d.id, i.id, d.tenant IS i.tenant FROM " + data + " AS d LEFT JOIN " + index +
                       " AS i ON i.id = d.id WHERE i.id IS NULL OR d.tenant IS NOT i.tenant "
                       "UNION ALL SELECT NULL, i.id, 1 FROM " + index + " AS i WHERE i.id NOT IN "
                       "(SELECT id FROM " + data + ") LIMIT 100");
  auto id_or_null = [](const Stmt& s, int col) { return s.is_null(col) ? std::nullopt : std::optional(s.int64(col)); };
  while (orphans.step() && out.size() < kMaxProblems)
    report_unlisted(out, index_name, id_or_null(orphans, 0), id_or_null(orphans, 1));
  const int64_t trained_n = t.index_store.trained_n();
  std::vector<float> centroids;
  try {
    centroids = t.index_store.centroids(dim);
  } catch (const std::exception& e) {
    out.push_back(e.what());
    return;
  }
  const int64_t k = static_cast<int64_t>(centroids.size() / dim);
  check_centroid_count(out, t.name, k, trained_n, t.storage.state_int("ivf_lists", index::ivf_list_count(trained_n)));
  if (t.options.sq8 && k > 0) {
    try {
      if (t.index_store.sq8_ranges(dim).empty()) out.push_back(t.name + "_state: the sq8_ranges row is missing");
    } catch (const std::exception& e) {
      out.push_back(t.name + "_state: " + e.what());
    }
  }
  for (int64_t l = 0; l < k && out.size() < kMaxProblems; ++l)
    check_stored_vector(out, "centroid " + std::to_string(l),
                 std::string_view(reinterpret_cast<const char*>(&centroids[l * dim]), sizeof(float) * dim), dim);
  const bool codes = t.options.sq8 && k > 0;
  const int64_t nlists = std::max<int64_t>(k, 1);
  Stmt bad(db, "SELECT id, list, length(code) FROM " + index + " WHERE list < 0 OR list >= ?1 OR " +
                   (codes ? "code IS NULL OR length(code) != ?2" : "code IS NOT NULL") + " LIMIT 100");
  bad.bind(1, nlists);
  if (codes) bad.bind(2, static_cast<int64_t>(dim));
  while (bad.step() && out.size() < kMaxProblems)
    report_bad_list_row(out, bad.int64(0), bad.int64(1), id_or_null(bad, 2), nlists, dim, codes);
  // The in-memory index must match the rows it caches.
  // (Checked only when it reflects exactly this connection's view of the tables.)
  if (!out.empty()) return;
  const int64_t g = t.storage.generation();
  const index::IndexCache& c = *t.cache;
  std::shared_lock lock(c.mu);
  if (!c.loaded || c.gen != g) return;
  if (!check_memory_index_size(out, static_cast<int64_t>(c.index.size()), c.index.nlist(), rows, nlists)) return;
  Stmt lists(db, "SELECT id, list FROM " + index);
  while (lists.step() && out.size() < kMaxProblems)
    check_memory_list(out, index_name, lists.int64(0), c.index.list_of(lists.int64(0)), lists.int64(1));
}

}  // namespace

std::vector<std::string> check_integrity(Table& t) {
  std::vector<std::string> out;
  sqlite3* db = t.db;
  const std::string data = t.storage.shadow("data"), vectors = t.storage.shadow("vectors"),
                    state = t.storage.shadow("state");
  {
    Stmt s(db, "SELECT value FROM " + state + " WHERE key = 'format'");
    const std::optional<int64_t> format = s.step() ? std::optional(s.int64(0)) : std::nullopt;
    Stmt g(db, "SELECT count(*) FROM " + state + " WHERE key = 'generation'");
    Stmt b(db, "SELECT (SELECT value FROM " + state + " WHERE key = 'bytes'), (SELECT total(bytes) FROM " +
                   data + ")");
    b.step();
    check_state(out, t.name, format, kFormatVersion, g.one_int64(), b.is_null(0) ? std::nullopt : std::optional(b.int64(0)),
                b.real(1));
  }
  {
    Stmt s(db, "SELECT d.id FROM " + data + " AS d LEFT JOIN " + vectors +
                   " AS v ON v.id = d.id WHERE v.id IS NULL LIMIT 100");
    while (s.step() && out.size() < kMaxProblems)
      out.push_back("example " + std::to_string(s.int64(0)) + " has no vector in " + t.name + "_vectors");
    Stmt o(db, "SELECT v.id FROM " + vectors + " AS v LEFT JOIN " + data +
                   " AS d ON d.id = v.id WHERE d.id IS NULL LIMIT 100");
    while (o.step() && out.size() < kMaxProblems)
      out.push_back(t.name + "_vectors holds vector " + std::to_string(o.int64(0)) +
                    " of no example");
  }
  // id, T_data's example columns (columns.h: numbered kDataId...), then the vector.
  Stmt s(db, "SELECT d.id, " + data_columns_sql() + ", v.vector FROM " + data + " AS d JOIN " +
                 vectors + " AS v ON v.id = d.id ORDER BY d.id");
  int64_t rows = 0;
  while (s.step() && out.size() < kMaxProblems) {
    ++rows;
    StoredRow r;
    r.id = s.int64(kDataId);
    r.request = s.blob(kDataRequest);
    r.request_enc = static_cast<int>(s.int64(kDataRequestEnc));
    r.response = s.blob(kDataResponse);
    r.response_enc = static_cast<int>(s.int64(kDataResponseEnc));
    r.model = s.text(kDataModel);
    r.tenant = s.text(kDataTenant);
    r.quality = s.real(kDataQuality);
    r.bytes = s.int64(kDataBytes);
    r.vector = s.blob(kDataCount);
    check_stored_row(out, r, t.options);
  }
  check_index(t, out, rows);
  return out;
}

void require_integrity(Table& t) {
  std::vector<std::string> problems = check_integrity(t);
  if (!problems.empty()) throw SqlError(SQLITE_CORRUPT_VTAB, integrity_report(t.name, problems));
}

void integrity_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_integrity_check";
    require_integrity(*find_table(sqlite3_context_db_handle(ctx), table_name_arg(argv[0], f), f));
    sqlite3_result_text(ctx, "ok", 2, SQLITE_STATIC);
  });
}

}  // namespace iccache::ext
