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

constexpr size_t kMaxProblems = 100;

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
  while (orphans.step() && out.size() < kMaxProblems) {
    if (orphans.is_null(0))
      out.push_back(index_name + " lists example " + std::to_string(orphans.int64(1)) + " which does not exist");
    else if (orphans.is_null(1))
      out.push_back("example " + std::to_string(orphans.int64(0)) + " is in no IVF list");
    else
      out.push_back("example " + std::to_string(orphans.int64(0)) + " has a different tenant in " + index_name);
  }
  const int64_t trained_n = t.index_store.trained_n();
  std::vector<float> centroids;
  try {
    centroids = t.index_store.centroids(dim);
  } catch (const std::exception& e) {
    out.push_back(e.what());
    return;
  }
  const int64_t k = static_cast<int64_t>(centroids.size() / dim);
  if ((trained_n > 0) != (k > 0))
    out.push_back(t.name + "_centroids holds " + std::to_string(k) + " centroids but the index is " +
                  (trained_n > 0 ? "trained" : "untrained"));
  // Training makes K = round(sqrt(N)) lists (Table::train_index); another count means rows
  // were lost or added behind the table's back, even when every list number is in range.
  // (Fewer when the training saw fewer distinct vectors: then its count is in 'ivf_lists'.)
  const int64_t made = t.storage.state_int("ivf_lists", index::ivf_list_count(trained_n));
  if (trained_n > 0 && k > 0 && k != made)
    out.push_back(t.name + "_centroids holds " + std::to_string(k) + " centroids but the training of " +
                  std::to_string(trained_n) + " examples made " + std::to_string(made));
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
  while (bad.step() && out.size() < kMaxProblems) {
    std::string code = bad.is_null(2) ? (codes ? " with no code" : "")
                                      : " with a " + std::to_string(bad.int64(2)) + "-byte code";
    out.push_back("example " + std::to_string(bad.int64(0)) + " is in list " + std::to_string(bad.int64(1)) +
                  code + "; expected a list from 0 to " + std::to_string(nlists - 1) +
                  (codes ? " and a " + std::to_string(dim) + "-byte code" : " and no code"));
  }
  // The in-memory index must match the rows it caches.
  // (Checked only when it reflects exactly this connection's view of the tables.)
  if (!out.empty()) return;
  const int64_t g = t.storage.generation();
  const index::IndexCache& c = *t.cache;
  std::shared_lock lock(c.mu);
  if (!c.loaded || c.gen != g) return;
  if (static_cast<int64_t>(c.index.size()) != rows || c.index.nlist() != nlists) {
    out.push_back("the in-memory index holds " + std::to_string(c.index.size()) + " vectors in " +
                  std::to_string(c.index.nlist()) + " lists but the tables hold " + std::to_string(rows) +
                  " in " + std::to_string(nlists));
    return;
  }
  Stmt lists(db, "SELECT id, list FROM " + index);
  while (lists.step() && out.size() < kMaxProblems)
    if (c.index.list_of(lists.int64(0)) != lists.int64(1))
      out.push_back("example " + std::to_string(lists.int64(0)) + " is in list " +
                    std::to_string(c.index.list_of(lists.int64(0))) + " in memory but list " +
                    std::to_string(lists.int64(1)) + " in " + index_name);
}

}  // namespace

std::vector<std::string> check_integrity(Table& t) {
  std::vector<std::string> out;
  sqlite3* db = t.db;
  const std::string data = t.storage.shadow("data"), vectors = t.storage.shadow("vectors"),
                    state = t.storage.shadow("state");
  {
    Stmt s(db, "SELECT value FROM " + state + " WHERE key = 'format'");
    if (!s.step() || s.int64(0) != kFormatVersion)
      out.push_back(t.name + "_state: format version missing or not " + std::to_string(kFormatVersion));
    Stmt g(db, "SELECT count(*) FROM " + state + " WHERE key = 'generation'");
    g.step();
    if (g.int64(0) != 1) out.push_back(t.name + "_state: the generation row is missing");    // Kept by the write path (storage.cpp); a direct write to T_data bypasses it.
    Stmt b(db, "SELECT (SELECT value FROM " + state + " WHERE key = 'bytes'), (SELECT total(bytes) FROM " +
                   data + ")");
    b.step();
    if (b.is_null(0) || b.int64(0) != static_cast<int64_t>(b.real(1)))
      out.push_back(t.name + "_state: the 'bytes' total is " + (b.is_null(0) ? "missing" : std::to_string(b.int64(0))) +
                    "; expected " + std::to_string(static_cast<int64_t>(b.real(1))) + ", the sum of bytes over " +
                    t.name + "_data");
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
  if (problems.empty()) return;
  std::string msg = t.name + ": integrity-check found " + std::to_string(problems.size()) + " problem(s): ";
  for (size_t i = 0; i < problems.size() && i < 10; ++i) msg += (i ? "; " : "") + problems[i];
  throw SqlError(SQLITE_CORRUPT_VTAB, msg);
}

void integrity_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_integrity_check";
    require_integrity(*find_table(sqlite3_context_db_handle(ctx), table_name_arg(argv[0], f), f));
    sqlite3_result_text(ctx, "ok", 2, SQLITE_STATIC);
  });
}

}  // namespace iccache::ext
