#include "ext/route/route_store.h"

#include "ext/stats/stats.h"
#include "index/stored_form.h"

namespace iccache::ext {

void create_route_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  exec(db, "CREATE TABLE " + s.shadow("router") +
               "(arm TEXT PRIMARY KEY, n INTEGER NOT NULL, reward_sum REAL NOT NULL,"
               " a_inv BLOB NOT NULL, b BLOB NOT NULL) WITHOUT ROWID");
  exec(db, "CREATE TABLE " + s.shadow("decisions") +
               "(id INTEGER PRIMARY KEY, time REAL NOT NULL, arm TEXT NOT NULL,"
               " explore INTEGER NOT NULL, want_feedback INTEGER NOT NULL, score REAL NOT NULL,"
               " load REAL NOT NULL, features BLOB NOT NULL, request BLOB NOT NULL,"
               " example_ids TEXT NOT NULL, reward REAL, rewarded_at REAL, shadow TEXT,"
               " shadow_reward REAL)");
  exec(db, "INSERT INTO " + s.shadow("state") + " VALUES('router_generation', 0)");
  exec(db, stats_view_sql(schema, table));
}

void drop_route_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  exec(db, "DROP VIEW IF EXISTS " + quote_id(schema) + "." + quote_id(table + "_stats"));
}

void rename_route_schema(sqlite3* db, const std::string& schema, const std::string& from,
                         const std::string& to) {
  // The view names its table in a string literal, which ALTER TABLE does not rewrite.
  drop_route_schema(db, schema, from);
  exec(db, stats_view_sql(schema, to));
}

int64_t RouteStore::generation() {
  return cached(s_.db(), gen_, [&] { return "SELECT value FROM " + s_.shadow("state") + " WHERE key = 'router_generation'"; })
      .one_int64();
}

route::RouterScalars RouteStore::scalars() {
  Stmt& st = cached(s_.db(), scalars_, [&] { return "SELECT key, value FROM " + s_.shadow("state") +
                                  " WHERE key >= 'router_' AND key < 'router`'"; });
  route::RouterScalars r;
  while (st.step()) {
    const std::string_view key = st.text(0);
    const bool null = st.is_null(1);
    if (key == "router_generation") r.generation = st.int64(1);
    else if (key == "router_decisions") r.last_decision = st.int64(1);
    else if (key == "router_load_ema") r.load.ema = st.real(1);
    else if (key == "router_load_time" && !null) r.load.last_time = st.real(1);
    else if (key == "router_load_manual" && !null) r.load.manual = st.real(1);
    else if (key == "router_cost_weight" && !null) r.cost_weight = st.real(1);
    else if (key == "router_calibration" && !null) r.calibration = std::string(st.blob(1));
  }
  st.reset();
  return r;
}

std::vector<route::StoredArm> RouteStore::arms() {
  Stmt& st = cached(s_.db(), arms_, [&] { return "SELECT arm, n, reward_sum, a_inv, b FROM " + s_.shadow("router"); });
  ResetOnExit guard(st);
  std::vector<route::StoredArm> out;
  while (st.step()) {
    route::StoredArm a;
    a.name = st.text(0);
    a.n = st.int64(1);
    a.reward_sum = st.real(2);
    const std::string what = s_.table() + "_router: arm '" + a.name + "'";
    route::read_stored(st.blob(3), a.a_inv, what + " a_inv");
    route::read_stored(st.blob(4), a.b, what + " b");
    out.push_back(std::move(a));
  }
  st.reset();
  return out;
}

void RouteStore::set_state(const char* key, std::optional<double> value) {
  Stmt& st = cached(s_.db(), put_state_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") + "(key, value) VALUES(?, ?)"; });
  st.bind_text(1, key);
  if (value) st.bind(2, *value); else st.bind_null(2);
  st.run();
}

void RouteStore::set_generation(int64_t g) {
  Stmt& st = cached(s_.db(), put_state_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") + "(key, value) VALUES(?, ?)"; });
  st.bind_text(1, "router_generation").bind(2, g).run();
}

void RouteStore::write_route_state(const route::LoadState& load, int64_t last_decision,
                                   int64_t generation) {
  // One statement: this runs on every route call.
  Stmt& st = cached(s_.db(), put_route_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") +
                                    "(key, value) VALUES('router_load_ema', ?1), ('router_load_time', ?2),"
                                    " ('router_decisions', ?3), ('router_generation', ?4)"; });
  st.bind(1, load.ema);
  if (load.last_time) st.bind(2, *load.last_time); else st.bind_null(2);
  st.bind(3, last_decision).bind(4, generation).run();
}

void RouteStore::write_manual_load(std::optional<double> rps, int64_t generation) {
  set_state("router_load_manual", rps);
  set_generation(generation);
}

void RouteStore::write_calibration(double w, const route::Calibration& c, int64_t generation) {
  set_state("router_cost_weight", w);
  const std::string blob = route::serialize_calibration(c);
  Stmt& st = cached(s_.db(), put_state_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") + "(key, value) VALUES(?, ?)"; });
  st.bind_text(1, "router_calibration").bind_blob(2, blob.data(), blob.size()).run();
  set_generation(generation);
}

bool RouteStore::has_shadow_columns() {
  if (shadow_columns_ < 0) {
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT shadow, shadow_reward FROM " + s_.shadow("decisions") + " LIMIT 0";
    shadow_columns_ = sqlite3_prepare_v2(s_.db(), sql.c_str(), -1, &st, nullptr) == SQLITE_OK ? 1 : 0;
    sqlite3_finalize(st);
  }
  return shadow_columns_ == 1;
}

void RouteStore::add_shadow_columns() {
  if (has_shadow_columns()) return;
  exec(s_.db(), "ALTER TABLE " + s_.shadow("decisions") + " ADD COLUMN shadow TEXT");
  exec(s_.db(), "ALTER TABLE " + s_.shadow("decisions") + " ADD COLUMN shadow_reward REAL");
  shadow_columns_ = 1;
  ins_dec_ = Stmt();
  get_dec_ = Stmt();
}

void RouteStore::set_shadow_reward(int64_t id, double reward) {
  cached(s_.db(), shadow_reward_, [&] { return "UPDATE " + s_.shadow("decisions") + " SET shadow_reward = ? WHERE id = ?"; })
      .bind(1, reward).bind(2, id).run();
}

void RouteStore::write_arm(const route::StoredArm& a, int64_t generation) {
  Stmt& st = cached(s_.db(), put_arm_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("router") +
                                  "(arm, n, reward_sum, a_inv, b) VALUES(?, ?, ?, ?, ?)"; });
  const std::string_view ai = route::stored_bytes(a.a_inv), b = route::stored_bytes(a.b);
  st.bind_text(1, a.name).bind(2, a.n).bind(3, a.reward_sum).bind_blob(4, ai.data(), ai.size())
      .bind_blob(5, b.data(), b.size()).run();
  set_generation(generation);
}

void RouteStore::insert_decision(const route::DecisionRow& d) {
  if (!d.shadow.empty()) add_shadow_columns();
  const bool with_shadow = has_shadow_columns();
  Stmt& st = cached(s_.db(), ins_dec_, [&] { return "INSERT INTO " + s_.shadow("decisions") +
                                  "(id, time, arm, explore, want_feedback, score, load, features,"
                                  " request, example_ids" + (with_shadow ? ", shadow" : "") +
                                  ") VALUES(?,?,?,?,?,?,?,?,?,?" + (with_shadow ? ",?" : "") + ")"; });
  if (with_shadow) {
    if (d.shadow.empty()) st.bind_null(11); else st.bind_text(11, d.shadow);
  }
  const std::string_view features = route::features_bytes(d.features);
  st.bind(1, d.id).bind(2, d.time).bind_text(3, d.arm).bind(4, int64_t{d.explore})
      .bind(5, int64_t{d.want_feedback}).bind(6, d.score).bind(7, d.load)
      .bind_blob(8, features.data(), features.size())
      .bind_blob(9, d.request.data(), d.request.size()).bind_text(10, d.example_ids).run();
}

std::optional<route::DecisionRow> RouteStore::decision(int64_t id) {
  const bool with_shadow = has_shadow_columns();
  Stmt& st = cached(s_.db(), get_dec_, [&] { return "SELECT time, arm, explore, want_feedback, score, load, features,"
                              " request, example_ids, reward, " +
                              std::string(with_shadow ? "shadow, shadow_reward" : "NULL, NULL") + " FROM " +
                              s_.shadow("decisions") + " WHERE id = ?"; });
  ResetOnExit guard(st);
  st.bind(1, id);
  if (!st.step()) {
    st.reset();
    return std::nullopt;
  }
  route::DecisionRow d;
  d.id = id;
  d.time = st.real(0);
  d.arm = st.text(1);
  d.explore = st.int64(2) != 0;
  d.want_feedback = st.int64(3) != 0;
  d.score = st.real(4);
  d.load = st.real(5);
  d.features = route::stored_features(st.blob(6), s_.table(), "decision " + std::to_string(id));
  d.request = st.blob(7);
  d.example_ids = st.text(8);
  if (!st.is_null(9)) d.reward = st.real(9);
  if (!st.is_null(10)) d.shadow = st.text(10);
  if (!st.is_null(11)) d.shadow_reward = st.real(11);
  st.reset();
  return d;
}

void RouteStore::set_reward(int64_t id, double reward, double at) {
  cached(s_.db(), set_reward_, [&] { return "UPDATE " + s_.shadow("decisions") + " SET reward = ?, rewarded_at = ? WHERE id = ?"; })
      .bind(1, reward).bind(2, at).bind(3, id).run();
}

int RouteStore::prune(double min_time, int64_t max_pruned_id, int batch) {
  Stmt& st = cached(s_.db(), prune_, [&] { return "DELETE FROM " + s_.shadow("decisions") + " WHERE id IN (SELECT id FROM " +
                                s_.shadow("decisions") + " ORDER BY id LIMIT ?) AND (time < ? OR id <= ?)"; });
  st.bind(1, int64_t{batch}).bind(2, min_time).bind(3, max_pruned_id).run();
  return sqlite3_changes(s_.db());
}

std::vector<route::LoggedDecision> RouteStore::recent_decisions(int64_t limit) {
  Stmt& st = cached(s_.db(), recent_, [&] { return "SELECT features, id FROM " + s_.shadow("decisions") + " ORDER BY id DESC LIMIT ?"; });
  ResetOnExit guard(st);
  st.bind(1, limit);
  std::vector<route::LoggedDecision> out;
  while (st.step()) {
    out.push_back({route::stored_features(st.blob(0), s_.table(), "a decision"), static_cast<uint64_t>(st.int64(1))});
  }
  st.reset();
  return out;
}

int64_t RouteStore::decision_count() {
  return cached(s_.db(), count_, [&] { return "SELECT count(*) FROM " + s_.shadow("decisions"); }).one_int64();
}

int64_t RouteStore::feedback_count() {
  return cached(s_.db(), fb_count_, [&] { return "SELECT count(reward) FROM " + s_.shadow("decisions"); })
      .one_int64();
}

bool RouteStore::example(int64_t id, int dim, double& quality, float* vec) {
  Stmt& st = cached(s_.db(), example_, [&] { return "SELECT d.quality, v.vector FROM " + s_.shadow("data") + " AS d JOIN " +
                                  s_.shadow("vectors") + " AS v ON v.id = d.id WHERE d.id = ?"; });
  st.bind(1, id);
  ResetOnExit done(st);  // no read left open after the call
  if (!st.step()) return false;
  quality = st.real(0);
  index::copy_vector(st.blob(1), dim, id, vec, s_.table());
  return true;
}

void RouteStore::begin() {
  owns_transaction_ = sqlite3_get_autocommit(s_.db()) != 0;  // the savepoint opens it
  cached(s_.db(), begin_, [&] { return "SAVEPOINT iccache_router"; }).run();
}
void RouteStore::commit() { cached(s_.db(), commit_, [&] { return "RELEASE iccache_router"; }).run(); }
void RouteStore::rollback() {
  cached(s_.db(), rollback_, [&] { return "ROLLBACK TO iccache_router"; }).run();
  try {
    cached(s_.db(), release_, [&] { return "RELEASE iccache_router"; }).run();
  } catch (const SqlError&) {
    // When the savepoint opened the transaction, RELEASE commits it, and that can still be
    // SQLITE_BUSY (a reader in another process past the busy timeout: the very error being
    // undone). Left open, the transaction would swallow every later write of this
    // connection until it closed. End it.
    if (!owns_transaction_) throw;
    sqlite3_exec(s_.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace iccache::ext
