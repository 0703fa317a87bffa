#include "ext/privacy/privacy_forget.h"

#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "common/id_list.h"
#include "ext/route/route_state.h"
#include "route/decision_log.h"
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
  const size_t bad = utf8::first_invalid(s);
  if (bad != s.size())
    throw Error(what + ": the text is not valid UTF-8 (invalid byte at offset " + std::to_string(bad) +
                "); expected UTF-8 text");
  return std::string(s);
}

// Takes the rewards of the decisions being forgotten back out of the arms they trained.
int64_t undo_rewards(Table& t, const std::vector<int64_t>& decisions) {
  RouteState& rs = route_state(t);
  std::vector<DecisionRow> rows;  // owns the arm names `given` points into
  for (int64_t id : decisions)
    if (std::optional<DecisionRow> row = rs.store.decision(id); row && row->reward) rows.push_back(std::move(*row));
  std::vector<route::GivenReward> given;
  for (const DecisionRow& row : rows) given.push_back({row.arm, row.features, *row.reward});
  const route::UndoneRewards undone = route::undo_rewards(rs.router, given);
  if (undone.count == 0) return 0;
  const int64_t g = rs.next_generation();
  for (int i = 0; i < rs.router.arm_count(); ++i)
    if (undone.changed[i]) rs.store.write_arm(rs.stored_arm(i, undone.arms[i]), g);
  // Adopted in memory now; a later failure rolls the statement back, the stored nonce
  // returns to its old value and the next router call reloads.
  for (int i = 0; i < rs.router.arm_count(); ++i)
    if (undone.changed[i]) rs.router.arm(i) = undone.arms[i];
  rs.generation = g;
  return undone.count;
}

}  // namespace

ForgetCounts forget_command(Table& t, sqlite3_value** col) {
  for (int c = 0; c < kTableCol; ++c) {
    if (c == kTenant || c == kUser || sqlite3_value_type(col[c]) == SQLITE_NULL) continue;
    throw Error(t.name + ": command 'forget' takes only tenant and user; received a value for " +
                column_name(c));
  }
  const std::optional<std::string> tenant = key_arg(t, col[kTenant], kTenant);
  const std::optional<std::string> user = key_arg(t, col[kUser], kUser);
  if (!tenant && !user)
    throw Error(t.name + ": command 'forget' needs the tenant or the user whose examples to forget,"
                " as in INSERT INTO " + t.name + "(" + t.name + ", tenant) VALUES('forget', 'acme') or"
                " INSERT INTO " + t.name + "(" + t.name + ", user) VALUES('forget', 'u42');"
                " received NULL for both");
  if (user && !t.storage.has_privacy_columns())
    throw Error(t.name + ": this table was created by an earlier version of iccache, whose " + t.name +
                "_data has no user column; expected forget by tenant (or a table created by this version)");

  SecureDeleteScope secure(t.db, t.storage.schema());
  ForgetCounts n;

  std::string where = " WHERE 1";
  if (tenant) where += " AND tenant = ?1";
  if (user) where += " AND user = ?2";
  Stmt pick(t.db, "SELECT id FROM " + t.storage.shadow("data") + where + " ORDER BY id");
  if (tenant) pick.bind_text(1, *tenant);
  if (user) pick.bind_text(2, *user);
  const std::vector<int64_t> ids = ids_of(pick);
  if (ids.empty()) return n;
  const std::string ids_json = id_list_json(ids);

  // Decisions that showed any of the examples: their request vectors are the requests of the
  // same tenant (MATCH with tenant = ... only shows that tenant's examples).
  Stmt dec(t.db, "SELECT DISTINCT d.id FROM " + t.storage.shadow("decisions") +
                     " d, json_each(d.example_ids) j WHERE j.value IN (SELECT value FROM json_each(?1))"
                     " ORDER BY d.id");
  dec.bind_text(1, ids_json);
  const std::vector<int64_t> decisions = ids_of(dec);
  if (!decisions.empty()) {
    const std::string dec_json = id_list_json(decisions);
    n.rewards_undone = undo_rewards(t, decisions);
    Stmt labelled(t.db, "SELECT count(*) FROM " + t.storage.shadow("samples") +
                            " WHERE reward IS NOT NULL AND decision IN (SELECT value FROM json_each(?1))");
    const int64_t labelled_samples = labelled.bind_text(1, dec_json).one_int64();
    Stmt del_samples(t.db, "DELETE FROM " + t.storage.shadow("samples") +
                               " WHERE decision IN (SELECT value FROM json_each(?1))");
    del_samples.bind_text(1, dec_json).run();
    n.samples = sqlite3_changes(t.db);
    Stmt del_dec(t.db, "DELETE FROM " + t.storage.shadow("decisions") +
                           " WHERE id IN (SELECT value FROM json_each(?1))");
    del_dec.bind_text(1, dec_json).run();
    n.decisions = static_cast<int64_t>(decisions.size());
    // The utility model took online steps from those samples: refit it from what is left.
    if (labelled_samples > 0) train_utility_model(t);
  }

  for (int64_t id : ids) t.delete_example(id);
  n.examples = static_cast<int64_t>(ids.size());
  // Centroids are means of the vectors they were trained on: retrain without these.
  if (t.index_store.trained_n() > 0 && t.storage.count() > 0) t.train_index();
  // The lexical index's IDF counts were taken on texts that included these: count again.
  if (t.lexical_on() && !ids.empty()) t.count_idf(t.storage.count());
  return n;
}

}  // namespace iccache::ext
