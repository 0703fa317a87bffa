#include "ext/privacy/privacy_forget.h"

#include <string>
#include <vector>

#include "common/utf8.h"
#include "common/id_list.h"
#include "privacy/forget.h"
#include "ext/route/route_ops.h"
#include "ext/select/select_feedback.h"
#include "ext/sql/stmt.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// PRAGMA secure_delete on for one schema while a forget runs, back to its old value after
// (also when the forget fails): SQLite then zeroes the deleted cells and the pages it frees,
// instead of leaving the bytes in free space until something overwrites them.
class SecureDeleteScope {
 public:
  SecureDeleteScope(sqlite3* db, const std::string& schema) : db_(db), schema_(quote_id(schema)) {
    old_ = Stmt(db_, "PRAGMA " + schema_ + ".secure_delete").one_int64();
    Stmt(db_, "PRAGMA " + schema_ + ".secure_delete = 1").step();
  }
  ~SecureDeleteScope() {
    const std::string sql = "PRAGMA " + schema_ + ".secure_delete = " + std::to_string(old_);
    sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  SecureDeleteScope(const SecureDeleteScope&) = delete;
  SecureDeleteScope& operator=(const SecureDeleteScope&) = delete;

 private:
  sqlite3* db_;
  std::string schema_;
  int64_t old_ = 0;
};

std::vector<int64_t> ids_of(Stmt& s) {
  std::vector<int64_t> ids;
  while (s.step()) ids.push_back(s.int64(0));
  return ids;
}

// The optional TEXT key of the command (tenant or user), validated.
std::optional<std::string> key_arg(Table& t, sqlite3_value* v, int col) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  const std::string what = t.name + "." + column_name(col);
  if (sqlite3_value_type(v) != SQLITE_TEXT)
    throw Error(what + ": command 'forget' expected TEXT naming whose examples to forget; received " +
                (sqlite3_value_type(v) == SQLITE_BLOB ? std::string("a BLOB") : "a number"));
  const std::string_view s(reinterpret_cast<const char*>(sqlite3_value_text(v)), sqlite3_value_bytes(v));
  utf8::require_valid(s, what + ": the text");
  return std::string(s);
}

// Forget's store (engine/privacy/forget.h): SQL over the shadow tables, and the table's
// router, selection and example writes.
class TableForget : public privacy::ForgetStore {
 public:
  explicit TableForget(Table& t) : t_(t) {}

  std::vector<int64_t> examples_of(const privacy::ForgetKeys& keys) override {
    std::string where = " WHERE 1";
    if (keys.tenant) where += " AND tenant = ?1";
    if (keys.user) where += " AND user = ?2";
    Stmt pick(t_.db, "SELECT id FROM " + t_.storage.shadow("data") + where + " ORDER BY id");
    if (keys.tenant) pick.bind_text(1, *keys.tenant);
    if (keys.user) pick.bind_text(2, *keys.user);
    return ids_of(pick);
  }
  std::vector<int64_t> decisions_showing(const std::vector<int64_t>& examples) override {
    Stmt dec(t_.db, "SELECT DISTINCT d.id FROM " + t_.storage.shadow("decisions") +
                        " d, json_each(d.example_ids) j WHERE j.value IN (SELECT value FROM json_each(?1))"
                        " ORDER BY d.id");
    const std::string json = id_list_json(examples);
    dec.bind_text(1, json);
    return ids_of(dec);
  }
  int64_t undo_rewards(const std::vector<int64_t>& decisions) override {
    return route::undo_rewards(route_state(t_), decisions);
  }
  int64_t labelled_samples(const std::vector<int64_t>& decisions) override {
    Stmt labelled(t_.db, "SELECT count(*) FROM " + t_.storage.shadow("samples") +
                             " WHERE reward IS NOT NULL AND decision IN (SELECT value FROM json_each(?1))");
    const std::string json = id_list_json(decisions);
    return labelled.bind_text(1, json).one_int64();
  }
  int64_t delete_samples(const std::vector<int64_t>& decisions) override {
    Stmt del(t_.db, "DELETE FROM " + t_.storage.shadow("samples") + " WHERE decision IN (SELECT value FROM json_each(?1))");
    const std::string json = id_list_json(decisions);
    del.bind_text(1, json).run();
    return sqlite3_changes(t_.db);
  }
  void delete_decisions(const std::vector<int64_t>& decisions) override {
    Stmt del(t_.db, "DELETE FROM " + t_.storage.shadow("decisions") + " WHERE id IN (SELECT value FROM json_each(?1))");
    const std::string json = id_list_json(decisions);
    del.bind_text(1, json).run();
  }
  void refit_utility_model() override { train_utility_model(t_); }
  void delete_example(int64_t id) override { t_.delete_example(id); }
  void rebuild_after_delete() override {
    if (t_.index_store.trained_n() > 0 && t_.storage.count() > 0) t_.train_index();
    if (t_.lexical_on()) t_.count_idf(t_.storage.count());
  }

 private:
  Table& t_;
};

}  // namespace

void forget_command(Table& t, sqlite3_value** col) {
  for (int c = 0; c < kTableCol; ++c) {
    if (c == kTenant || c == kUser || sqlite3_value_type(col[c]) == SQLITE_NULL) continue;
    throw Error(t.name + ": command 'forget' takes only tenant and user; received a value for " +
                column_name(c));
  }
  privacy::ForgetKeys keys;
  keys.tenant = key_arg(t, col[kTenant], kTenant);
  keys.user = key_arg(t, col[kUser], kUser);
  privacy::check_forget_keys(t.name, keys, t.storage.has_privacy_columns());
  SecureDeleteScope secure(t.db, t.storage.schema());
  TableForget store(t);
  privacy::forget(store, keys);
}

}  // namespace iccache::ext
