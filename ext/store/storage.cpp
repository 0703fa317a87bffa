#include "ext/store/storage.h"

#include <random>

#include "ext/index/lexical_idf_store.h"
#include "ext/store/change_log.h"
#include "ext/store/columns.h"
#include "ext/manage/manage_store.h"
#include "ext/route/route_store.h"
#include "ext/select/select_store.h"
#include "index/stored_form.h"

namespace iccache::ext {

namespace {
constexpr const char* kSuffixes[] = {"data",    "vectors",   "state",   "index",   "index_alt", "centroids",
                                    "router", "decisions", "samples", "changes", "idf"};
}  // namespace

bool is_shadow_suffix(std::string_view suffix) {
  for (const char* s : kSuffixes)
    if (suffix == s) return true;
  return false;
}

Storage::Storage(sqlite3* db, std::string schema, std::string table)
    : db_(db), schema_(std::move(schema)), table_(std::move(table)) {}

std::string Storage::shadow(std::string_view suffix) const {
  return quote_id(schema_) + "." + quote_id(table_ + "_" + std::string(suffix));
}

void Storage::create_tables(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  exec(db, "CREATE TABLE " + s.shadow("data") + "(id INTEGER PRIMARY KEY, " + data_columns_ddl() +
               kManageDataColumns + ", user TEXT, synthetic INTEGER NOT NULL DEFAULT 0)");
  exec(db, "CREATE TABLE " + s.shadow("vectors") + "(id INTEGER PRIMARY KEY, vector BLOB NOT NULL)");
  exec(db, "CREATE TABLE " + s.shadow("state") + "(key TEXT PRIMARY KEY, value) WITHOUT ROWID");
  // IVF: each example's list (and SQ8 code), twice (the copy a background training
  // writes while the other is in use), and one row per centroid (see index_store.h).
  for (const char* rows : {"index", "index_alt"})
    exec(db, "CREATE TABLE " + s.shadow(rows) +
                 "(id INTEGER PRIMARY KEY, list INTEGER NOT NULL, tenant TEXT NOT NULL, code BLOB)");
  exec(db, "CREATE TABLE " + s.shadow("centroids") + "(list INTEGER PRIMARY KEY, centroid BLOB NOT NULL)");
  // 'identity' tells this table from a same-named one in another file or an earlier
  // CREATE (registry.h); it never changes, not even on rename.
  const int64_t identity = static_cast<int64_t>(std::random_device{}() * 4294967296ull ^
                                                std::random_device{}()) & INT64_MAX;
  exec(db, "INSERT INTO " + s.shadow("state") + " VALUES('format', " +
               std::to_string(kFormatVersion) + "), ('generation', 0), ('identity', " +
               std::to_string(identity) + ")");
  create_manage_schema(db, schema, table);  // example manager: bytes total, view
  create_route_schema(db, schema, table);   // router tables, ex_stats view
  create_select_schema(db, schema, table);  // selection samples, select_generation
  ChangeLog::create(db, schema, table);     // change log (change_log.h)
  IdfStore::create(db, schema, table);      // lexical IDF counts (lexical_idf_store.h)
}

void Storage::drop_tables(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  drop_manage_schema(db, schema, table);
  drop_route_schema(db, schema, table);
  for (const char* suffix : kSuffixes) exec(db, "DROP TABLE IF EXISTS " + s.shadow(suffix));
}

void Storage::rename_tables(sqlite3* db, const std::string& schema, const std::string& from,
                            const std::string& to) {
  Storage s(db, schema, from);
  for (const char* suffix : kSuffixes) {
    // Files made before the change log have no T_changes until their first write.
    if (std::string_view(suffix) == "changes" && !ChangeLog(s).exists()) continue;
    // Nor T_index_alt until their first background training (index_store.h).
    if (std::string_view(suffix) == "index_alt" && !table_exists(db, schema, from + "_index_alt")) continue;
    // Nor T_idf until their first write of IDF counts (lexical_idf_store.h).
    if (std::string_view(suffix) == "idf" && !IdfStore::exists(db, schema, from)) continue;
    exec(db, "ALTER TABLE " + s.shadow(suffix) + " RENAME TO " +
                 quote_id(to + "_" + std::string(suffix)));
  }
  rename_manage_schema(db, schema, from, to);
  rename_route_schema(db, schema, from, to);
}

int64_t Storage::generation() {
  Stmt& s = cached(db_, get_gen_, "SELECT value FROM " + shadow("state") + " WHERE key = 'generation'");
  if (!s.step()) throw SqlError(SQLITE_CORRUPT_VTAB, table_ + ": the state table has no generation row");
  int64_t g = s.int64(0);
  s.reset();
  return g;
}

void Storage::set_generation(int64_t g) {
  cached(db_, set_gen_, "UPDATE " + shadow("state") + " SET value = ? WHERE key = 'generation'")
      .bind(1, g)
      .run();
  if (sqlite3_changes(db_) != 1)
    throw SqlError(SQLITE_CORRUPT_VTAB, table_ + ": the state table has no generation row");
}

// Cached: writes read 'epoch' and the crossing of a training threshold reads and writes
// 'training_due_since'; preparing each time cost ~10 us of a 25 us INSERT.
int64_t Storage::state_int(const std::string& key, int64_t fallback) {
  return get_state_stmt()
      .bind_text(1, key)
      .one_int64(fallback);
}

void Storage::set_state_int(const std::string& key, int64_t value) {
  put_state_stmt()
      .bind_text(1, key)
      .bind(2, value)
      .run();
}

void Storage::prepare_state_statements() {
  get_state_stmt();
  put_state_stmt();
}

// The SQL text is built only when the statement is first prepared (these run on every write).
Stmt& Storage::get_state_stmt() {
  return cached(db_, get_state_, [&] { return "SELECT value FROM " + shadow("state") + " WHERE key = ?"; });
}

Stmt& Storage::put_state_stmt() {
  return cached(db_, put_state_,
                [&] { return "INSERT OR REPLACE INTO " + shadow("state") + "(key, value) VALUES(?, ?)"; });
}

void Storage::set_state_real(const std::string& key, double value) {
  put_state_stmt()
      .bind_text(1, key)
      .bind(2, value)
      .run();
}

bool Storage::exists(int64_t id) {
  Stmt& s = cached(db_, exists_, "SELECT 1 FROM " + shadow("data") + " WHERE id = ?");
  bool found = s.bind(1, id).step();
  s.reset();
  return found;
}

namespace {
// Binds the row's data columns as the parameters of their numbers (columns.h); the id is
// parameter kDataCount.
void bind_row(Stmt& s, const StoredExample& r) {
  s.bind_blob(kDataRequest, r.request.bytes.data(), r.request.bytes.size())
      .bind(kDataRequestEnc, static_cast<int64_t>(r.request.encoding))
      .bind_blob(kDataResponse, r.response.bytes.data(), r.response.bytes.size())
      .bind(kDataResponseEnc, static_cast<int64_t>(r.response.encoding))
      .bind_text(kDataModel, r.model)
      .bind(kDataQuality, r.quality)
      .bind_text(kDataTenant, r.tenant)
      .bind(kDataCreatedAt, r.created_at)
      .bind(kDataUses, r.uses)
      .bind(kDataOffloads, r.offloads)
      .bind(kDataGain, r.gain)
      .bind(kDataBytes, r.bytes);
}
}  // namespace

// The 'bytes' total is written as an absolute value computed from the total read before the
// row write: exact whether or not a file made by an older version still carries the
// triggers that used to keep it (they add the same delta in between; we overwrite it).
int64_t Storage::total_bytes_before_write() {
  Stmt& s = cached(db_, get_total_, "SELECT coalesce((SELECT value FROM " + shadow("state") +
                                   " WHERE key = 'bytes'), (SELECT total(bytes) FROM " +
                                   shadow("data") + "))");
  return s.one_int64();
}

int64_t Storage::row_bytes(int64_t id) {
  return cached(db_, get_row_bytes_, "SELECT bytes FROM " + shadow("data") + " WHERE id = ?")
      .bind(1, id)
      .one_int64();
}

void Storage::set_total_bytes(int64_t total) {
  cached(db_, set_total_, "INSERT OR REPLACE INTO " + shadow("state") + "(key, value) VALUES('bytes', ?)")
      .bind(1, total)
      .run();
}

int64_t Storage::insert(const int64_t* id, const StoredExample& row, const float* vec, int dim) {
  const int64_t total = total_bytes_before_write();
  Stmt& s = cached(db_, ins_data_, [&] {
    std::string values;
    for (int i = 1; i <= kDataCount; ++i) values += (i > 1 ? ", ?" : "?") + std::to_string(i);
    return "INSERT INTO " + shadow("data") + "(" + data_columns_sql() + ", id) VALUES(" + values + ")";
  });
  // Ids are never reused (AUTOINCREMENT semantics): a new id is above every id the table
  // ever held, so late feedback for a deleted example never credits a newer one.
  const int64_t new_id = id ? *id : next_id();
  bind_row(s, row);
  s.bind(kDataCount, new_id);
  s.run();
  raise_last_id(new_id);
  cached(db_, ins_vec_, "INSERT INTO " + shadow("vectors") + "(id, vector) VALUES(?, ?)")
      .bind(1, new_id)
      .bind_blob(2, vec, sizeof(float) * dim)
      .run();
  if (row.user || row.synthetic) write_privacy(new_id, row);
  set_total_bytes(total + row.bytes);
  return new_id;
}

void Storage::write_privacy(int64_t id, const StoredExample& row) {
  if (!has_privacy_columns()) return;  // the writer refused non-default values already
  Stmt& s = cached(db_, set_privacy_, "UPDATE " + shadow("data") + " SET user = ?, synthetic = ? WHERE id = ?");
  if (row.user) s.bind_text(1, *row.user);
  s.bind(2, static_cast<int64_t>(row.synthetic ? 1 : 0)).bind(3, id).run();
}

bool Storage::has_privacy_columns() {
  if (privacy_columns_ < 0) {
    sqlite3_stmt* probe = nullptr;
    const std::string sql = "SELECT user, synthetic FROM " + shadow("data") + " LIMIT 0";
    privacy_columns_ = sqlite3_prepare_v2(db_, sql.c_str(), -1, &probe, nullptr) == SQLITE_OK ? 1 : 0;
    sqlite3_finalize(probe);
  }
  return privacy_columns_ == 1;
}

const char* Storage::privacy_columns_sql() {
  return has_privacy_columns() ? ", user, synthetic" : ", NULL, 0";
}

void Storage::update(int64_t id, const StoredExample& row, const float* vec, int dim) {
  const int64_t total = total_bytes_before_write() - row_bytes(id);
  Stmt& s = cached(db_, upd_data_, [&] {
    return "UPDATE " + shadow("data") + " SET " + data_columns_update_sql() + " WHERE id = ?" +
           std::to_string(kDataCount);
  });
  bind_row(s, row);
  s.bind(kDataCount, id).run();
  cached(db_, upd_vec_, "UPDATE " + shadow("vectors") + " SET vector = ? WHERE id = ?")
      .bind_blob(1, vec, sizeof(float) * dim)
      .bind(2, id)
      .run();
  write_privacy(id, row);
  set_total_bytes(total + row.bytes);
}

void Storage::remove(int64_t id) {
  const int64_t total = total_bytes_before_write() - row_bytes(id);
  cached(db_, del_data_, "DELETE FROM " + shadow("data") + " WHERE id = ?").bind(1, id).run();
  cached(db_, del_vec_, "DELETE FROM " + shadow("vectors") + " WHERE id = ?").bind(1, id).run();
  set_total_bytes(total);
}

void Storage::change_id(int64_t from, int64_t to) {
  for (const char* suffix : {"data", "vectors"}) {
    Stmt s(db_, "UPDATE " + shadow(suffix) + " SET id = ? WHERE id = ?");
    s.bind(1, to).bind(2, from).run();
  }
  raise_last_id(to);
}

int64_t Storage::next_id() {
  // T_state 'last_id' is the highest id ever used; files written before it existed start
  // from their highest id.
  Stmt& s = cached(db_, next_id_, "SELECT max(coalesce((SELECT value FROM " + shadow("state") +
                                 " WHERE key = 'last_id'), 0), coalesce((SELECT max(id) FROM " +
                                 shadow("data") + "), 0))");
  const int64_t last = s.one_int64();
  if (last == INT64_MAX)
    throw SqlError(SQLITE_FULL, table_ + ": every rowid up to 9223372036854775807 has been used"
                                         " (ids are never reused); expected room for a new id");
  return last < 0 ? 1 : last + 1;
}

void Storage::raise_last_id(int64_t id) {
  cached(db_, raise_last_id_, "INSERT INTO " + shadow("state") +
                             "(key, value) VALUES('last_id', ?1) ON CONFLICT(key) DO UPDATE"
                             " SET value = max(value, excluded.value)")
      .bind(1, id)
      .run();
}

EncodedText Storage::stored_text(Stmt& s, const char* column, int64_t id) {
  cached(db_, s, [&] {
    return std::string("SELECT ") + column + ", " + column + "_enc FROM " + shadow("data") + " WHERE id = ?";
  }).bind(1, id);
  if (!s.step()) throw SqlError(SQLITE_CORRUPT_VTAB, table_ + ": example " + std::to_string(id) + " is missing from " + table_ + "_data");
  EncodedText t{static_cast<TextEncoding>(s.int64(1)), std::string(s.blob(0))};
  s.reset();
  return t;
}

EncodedText Storage::stored_request(int64_t id) { return stored_text(get_req_, "request", id); }
EncodedText Storage::stored_response(int64_t id) { return stored_text(get_resp_, "response", id); }

std::vector<float> Storage::stored_vector(int64_t id, int dim) {
  Stmt& s = cached(db_, get_vec_, "SELECT vector FROM " + shadow("vectors") + " WHERE id = ?");
  s.bind(1, id);
  std::vector<float> v;
  if (s.step()) {
    v.resize(dim);
    index::copy_vector(s.blob(0), dim, id, v.data(), table_);
  }
  s.reset();
  if (v.empty())
    throw SqlError(SQLITE_CORRUPT_VTAB, table_ + ": example " + std::to_string(id) +
                                            " has no row in " + table_ + "_vectors");
  return v;
}

int64_t Storage::count() {
  return cached(db_, count_, "SELECT count(*) FROM " + shadow("data")).one_int64();
}

}  // namespace iccache::ext
