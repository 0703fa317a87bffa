#include "ext/select/select_store.h"

#include "index/shared_registry.h"
#include "ext/store/storage.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

void create_select_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  exec(db, "CREATE TABLE " + s.shadow("samples") +
               "(decision INTEGER PRIMARY KEY, time REAL NOT NULL, tuner INTEGER NOT NULL,"
               " shown INTEGER NOT NULL, features BLOB NOT NULL, reward REAL, rewarded_at REAL)");
  exec(db, "INSERT INTO " + s.shadow("state") + " VALUES('select_generation', 0)");
}

SelectStore::SelectStore(Table& t) : t_(t), s_(t.storage) {}

int64_t SelectStore::generation() {
  return cached(s_.db(), gen_, [&] { return "SELECT value FROM " + s_.shadow("state") + " WHERE key = 'select_generation'"; })
      .one_int64();
}

std::optional<std::string> SelectStore::state_blob(Stmt& st, const char* key) {
  cached(s_.db(), st, [&] { return "SELECT value FROM " + s_.shadow("state") + " WHERE key = ?"; }).bind_text(1, key);
  ResetOnExit done(st);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return std::string(st.blob(0));
}

std::optional<std::string> SelectStore::model_blob() { return state_blob(model_, "select_model"); }
std::optional<std::string> SelectStore::tuner_blob() { return state_blob(tuner_, "select_tuner"); }

void SelectStore::write_state(const std::string* model, const std::string* tuner, int64_t generation) {
  ResetOnExit done_state(put_state_), done_gen(put_gen_);
  auto put = [&](const char* key, const std::string& blob) {
    cached(s_.db(), put_state_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") + "(key, value) VALUES(?, ?)"; })
        .bind_text(1, key)
        .bind_blob(2, blob.data(), blob.size())
        .run();
  };
  if (model) put("select_model", *model);
  if (tuner) put("select_tuner", *tuner);
  cached(s_.db(), put_gen_, [&] { return "INSERT OR REPLACE INTO " + s_.shadow("state") + "(key, value) VALUES('select_generation', ?)"; })
      .bind(1, generation)
      .run();
}

void SelectStore::insert_sample(const select::SampleRow& r) {
  // Reset even when the write fails (SQLITE_BUSY): a statement left mid-step keeps the
  // connection's transaction from being rolled back by the caller.
  ResetOnExit done(ins_);
  cached(s_.db(), ins_, [&] {
    return "INSERT OR REPLACE INTO " + s_.shadow("samples") +
           "(decision, time, tuner, shown, features) VALUES(?, ?, ?, ?, ?)";
  })
      .bind(1, r.decision)
      .bind(2, r.time)
      .bind(3, static_cast<int64_t>(r.tuner))
      .bind(4, static_cast<int64_t>(r.shown))
      .bind_blob(5, r.features.data(), r.features.size())
      .run();
}

std::optional<select::SampleRow> SelectStore::sample(int64_t decision) {
  Stmt& st = cached(s_.db(), get_, [&] {
    return "SELECT time, tuner, shown, features, reward FROM " + s_.shadow("samples") + " WHERE decision = ?";
  });
  st.bind(1, decision);
  ResetOnExit done(st);
  if (!st.step()) return std::nullopt;
  select::SampleRow r;
  r.decision = decision;
  r.time = st.real(0);
  r.tuner = static_cast<int>(st.int64(1));
  r.shown = static_cast<int>(st.int64(2));
  r.features = std::string(st.blob(3));
  if (!st.is_null(4)) r.reward = st.real(4);
  select::check_sample(r, s_.table());
  return r;
}

void SelectStore::label(int64_t decision, double reward, double at) {
  ResetOnExit done(label_);
  cached(s_.db(), label_, [&] { return "UPDATE " + s_.shadow("samples") + " SET reward = ?, rewarded_at = ? WHERE decision = ?"; })
      .bind(1, reward)
      .bind(2, at)
      .bind(3, decision)
      .run();
}

void SelectStore::remove(int64_t decision) {
  ResetOnExit done(del_);
  cached(s_.db(), del_, [&] { return "DELETE FROM " + s_.shadow("samples") + " WHERE decision = ?"; }).bind(1, decision).run();
}

std::vector<select::Sample> SelectStore::labelled() {
  Stmt& st = cached(s_.db(), all_, [&] {
    return "SELECT decision, shown, features, reward FROM " + s_.shadow("samples") +
           " WHERE reward IS NOT NULL ORDER BY decision";
  });
  ResetOnExit done(st);
  std::vector<select::Sample> out;
  while (st.step()) {
    const std::vector<select::Sample> pairs = select::labelled_pairs(st.int64(0), st.blob(2), st.int64(1), st.real(3), s_.table());
    out.insert(out.end(), pairs.begin(), pairs.end());
  }
  return out;
}

int64_t SelectStore::count(bool labelled_only) {
  Stmt& st = labelled_only
      ? cached(s_.db(), count_l_, [&] { return "SELECT count(*) FROM " + s_.shadow("samples") + " WHERE reward IS NOT NULL"; })
      : cached(s_.db(), count_, [&] { return "SELECT count(*) FROM " + s_.shadow("samples"); });
  return st.one_int64();
}

void SelectStore::prune(double min_time, int64_t max_pruned, int batch) {
  ResetOnExit done(prune_);
  cached(s_.db(), prune_, [&] {
    return "DELETE FROM " + s_.shadow("samples") + " WHERE decision IN (SELECT decision FROM " +
           s_.shadow("samples") + " WHERE (reward IS NULL AND time < ?1) OR decision <= ?2"
           " ORDER BY decision LIMIT ?3)";
  })
      .bind(1, min_time)
      .bind(2, max_pruned)
      .bind(3, static_cast<int64_t>(batch))
      .run();
}

bool SelectStore::read(int64_t id, bool with_text, select::CandidateRow& out) {
  finish_candidate();
  Stmt& st = cached(s_.db(), cand_, [&] {
    return "SELECT quality, model, uses, offloads, bytes, created_at, request, request_enc FROM " +
           s_.shadow("data") + " WHERE id = ?";
  });
  st.bind(1, id);
  open_candidate_ = &st;
  if (!st.step()) {
    finish_candidate();
    return false;
  }
  out.quality = st.real(0);
  out.model.assign(st.text(1));
  out.uses = st.int64(2);
  out.offloads = st.int64(3);
  out.bytes = st.int64(4);
  out.created_at = st.real(5);
  const std::string_view request = st.blob(6);
  out.text_key = select::request_text_key(st.int64(7), request);
  if (with_text) {
    out.request.assign(request);
    out.request_enc = static_cast<int>(st.int64(7));
  } else {
    out.request.clear();
  }
  finish_candidate();
  return true;
}

void SelectStore::follow_attributes(select::CandidateCache& cache, int64_t g) {
  if (!attributes_) {
    const std::optional<index::SharedTable>& s = t_.shared_state();
    if (s && s->attributes) attributes_.emplace(s->attributes, true);
    else attributes_.emplace(std::make_shared<select::FollowedAttributes>(), false);
  }
  const bool in_write = attributes_->shared() && sqlite3_txn_state(t_.db, s_.schema().c_str()) == SQLITE_TXN_WRITE;
  attributes_->prepare(t_.log, in_write, cache, g);
}

void SelectStore::finish_candidate() {
  if (open_candidate_) sqlite3_reset(open_candidate_->get());
  open_candidate_ = nullptr;
}

}  // namespace iccache::ext
