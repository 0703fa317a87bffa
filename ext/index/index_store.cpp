#include "ext/index/index_store.h"

#include "ext/store/storage.h"
#include "index/stored_form.h"

namespace iccache::ext {

IndexStore::IndexStore(const Storage& storage)
    : db_(storage.db()),
      schema_(storage.schema()),
      alt_name_(storage.table() + "_index_alt"),
      index_(storage.shadow("index")),
      alt_(storage.shadow("index_alt")),
      vectors_(storage.shadow("vectors")),
      data_(storage.shadow("data")),
      centroids_(storage.shadow("centroids")),
      state_(storage.shadow("state")) {}

int IndexStore::active_slot() {
  Stmt& s = cached(db_, slot_, "SELECT value FROM " + state_ + " WHERE key = 'index_slot'");
  const int64_t slot = s.one_int64(0);
  if (slot != 0 && slot != 1)
    throw SqlError(SQLITE_CORRUPT_VTAB, "the stored index_slot is " + std::to_string(slot) +
                                            "; expected 0 or 1 (run 'optimize' to retrain)");
  return static_cast<int>(slot);
}

bool IndexStore::has_alt() {
  if (has_alt_) return true;
  has_alt_ = table_exists(db_, schema_, alt_name_);
  return has_alt_;
}

void IndexStore::create_alt() {
  Stmt(db_, "CREATE TABLE IF NOT EXISTS " + alt_ +
                "(id INTEGER PRIMARY KEY, list INTEGER NOT NULL, tenant TEXT NOT NULL, code BLOB)")
      .run();
  has_alt_ = true;
}

void IndexStore::put(int64_t id, int list, std::string_view tenant, const uint8_t* code,
                     size_t code_bytes) {
  put_in(active_slot(), id, list, tenant, code, code_bytes);
}

void IndexStore::put_in(int slot, int64_t id, int list, std::string_view tenant, const uint8_t* code,
                        size_t code_bytes) {
  Stmt& s = cached(db_, put_[slot],
                   "INSERT OR REPLACE INTO " + rows_table(slot) + "(id, list, tenant, code) VALUES(?,?,?,?)");
  s.bind(1, id).bind(2, static_cast<int64_t>(list)).bind_text(3, tenant);
  if (code) s.bind_blob(4, code, code_bytes);
  s.run();
}

void IndexStore::remove(int64_t id) {
  remove_from(0, id);
  if (has_alt()) remove_from(1, id);
}

void IndexStore::remove_from(int slot, int64_t id) {
  cached(db_, del_[slot], "DELETE FROM " + rows_table(slot) + " WHERE id = ?").bind(1, id).run();
}

int64_t IndexStore::clear_some(int slot, int64_t limit) {
  const std::string& rows = rows_table(slot);
  Stmt s(db_, "DELETE FROM " + rows + " WHERE id <= (SELECT max(id) FROM (SELECT id FROM " + rows +
                  " ORDER BY id LIMIT ?))");
  s.bind(1, limit).run();
  return sqlite3_changes(db_);
}

void IndexStore::change_id(int64_t from, int64_t to) {
  const int slot = active_slot();
  Stmt(db_, "UPDATE " + rows_table(slot) + " SET id = ? WHERE id = ?").bind(1, to).bind(2, from).run();
  if (slot == 0 && has_alt()) remove_from(1, from);
  if (slot == 1) remove_from(0, from);
}

int64_t IndexStore::trained_n() {
  Stmt& s = cached(db_, trained_n_, "SELECT value FROM " + state_ + " WHERE key = 'ivf_trained_n'");
  int64_t n = s.step() ? s.int64(0) : 0;
  s.reset();
  return n;
}

std::vector<float> IndexStore::centroids(int dim) {
  Stmt s(db_, "SELECT list, centroid FROM " + centroids_ + " ORDER BY list");
  std::vector<float> out;
  while (s.step()) index::append_centroid(out, s.int64(0), s.blob(1), dim);
  return out;
}

std::vector<float> IndexStore::sq8_ranges(int dim) {
  Stmt s(db_, "SELECT value FROM " + state_ + " WHERE key = 'sq8_ranges'");
  return s.step() ? index::sq8_ranges_of(s.blob(0), dim) : std::vector<float>();
}

void IndexStore::save_training(const std::vector<float>& centroids, int dim,
                               const std::vector<float>& sq8_ranges, int64_t n) {
  Stmt(db_, "DELETE FROM " + centroids_).run();
  Stmt ins(db_, "INSERT INTO " + centroids_ + "(list, centroid) VALUES(?, ?)");
  for (size_t l = 0; l * dim < centroids.size(); ++l)
    ins.reset().bind(1, static_cast<int64_t>(l)).bind_blob(2, &centroids[l * dim], sizeof(float) * dim).run();
  Stmt set(db_, "INSERT OR REPLACE INTO " + state_ + "(key, value) VALUES(?, ?)");
  set.bind_text(1, "ivf_trained_n").bind(2, n).run();
  set.reset().bind_text(1, "ivf_lists").bind(2, static_cast<int64_t>(centroids.size() / dim)).run();
  if (sq8_ranges.empty())
    Stmt(db_, "DELETE FROM " + state_ + " WHERE key = 'sq8_ranges'").run();
  else
    set.reset().bind_text(1, "sq8_ranges").bind_blob(2, sq8_ranges.data(), sq8_ranges.size() * sizeof(float)).run();
}

void IndexStore::save_tuning(int nprobe, double recall) {
  Stmt set(db_, "INSERT OR REPLACE INTO " + state_ + "(key, value) VALUES(?, ?)");
  set.bind_text(1, "nprobe_tuned").bind(2, static_cast<int64_t>(nprobe)).run();
  set.reset().bind_text(1, "nprobe_tuned_recall").bind(2, recall).run();
}

int IndexStore::tuned_nprobe() {
  Stmt s(db_, "SELECT value FROM " + state_ + " WHERE key = 'nprobe_tuned'");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

void IndexStore::for_each_example_vector(int dim,
                                         const std::function<void(int64_t, std::string_view, const float*)>& fn) {
  Stmt s(db_, "SELECT v.id, d.tenant, v.vector FROM " + vectors_ + " AS v JOIN " + data_ +
                  " AS d ON d.id = v.id ORDER BY v.id");
  std::vector<float> v(dim);
  while (s.step()) {
    index::copy_vector(s.blob(2), dim, s.int64(0), v.data());
    fn(s.int64(0), s.text(1), v.data());
  }
}

void IndexStore::for_each(bool with_vectors,
                          const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) {
  const std::string& rows = rows_table(active_slot());
  Stmt s(db_, with_vectors
                  ? "SELECT i.id, i.list, i.tenant, v.vector FROM " + rows + " AS i JOIN " +
                        vectors_ + " AS v ON v.id = i.id ORDER BY i.id"
                  : "SELECT id, list, tenant, code FROM " + rows + " ORDER BY id");
  while (s.step()) fn(s.int64(0), static_cast<int>(s.int64(1)), s.text(2), s.blob(3));
}

}  // namespace iccache::ext
