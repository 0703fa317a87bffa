#include "ext/select/select_store.h"

#include "ext/store/storage.h"
#include "select/learning.h"

namespace iccache::ext {

void create_select_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  exec(db, "CREATE TABLE " + s.shadow("samples") +
               "(decision INTEGER PRIMARY KEY, time REAL NOT NULL, tuner INTEGER NOT NULL,"
               " shown INTEGER NOT NULL, features BLOB NOT NULL, reward REAL, rewarded_at REAL)");
  exec(db, "INSERT INTO " + s.shadow("state") + " VALUES('select_generation', 0)");
}

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

void SelectStore::insert_sample(const SampleRow& r) {
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

std::optional<SampleRow> SelectStore::sample(int64_t decision) {
  Stmt& st = cached(s_.db(), get_, [&] {
    return "SELECT time, tuner, shown, features, reward FROM " + s_.shadow("samples") + " WHERE decision = ?";
  });
  st.bind(1, decision);
  ResetOnExit done(st);
  if (!st.step()) return std::nullopt;
  SampleRow r;
  r.decision = decision;
  r.time = st.real(0);
  r.tuner = static_cast<int>(st.int64(1));
  r.shown = static_cast<int>(st.int64(2));
  r.features = std::string(st.blob(3));
  if (!st.is_null(4)) r.reward = st.real(4);
  if (!select::well_formed_sample(r.features, r.shown))
    throw SqlError(SQLITE_CORRUPT_VTAB, s_.table() + ": the selection sample of decision " +
                                            std::to_string(decision) + " has " +
                                            std::to_string(r.features.size()) +
                                            " bytes of features for " + std::to_string(r.shown) +
                                            " examples; expected " + std::to_string(8 * select::kFeatureCount) +
                                            " bytes per example (and, for a counterfactual sample, 8 bytes per"
                                            " example and 8 more)");
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
    const std::optional<select::SampleLabels> l = select::sample_labels(st.blob(2), st.int64(1), st.real(3));
    if (!l || !l->well_formed)
      throw SqlError(SQLITE_CORRUPT_VTAB, s_.table() + ": the selection sample of decision " +
                                              std::to_string(st.int64(0)) +
                                              " has features of the wrong size; expected " +
                                              std::to_string(sizeof(select::FeatureVec)) + " bytes per example shown");
    out.insert(out.end(), l->pairs.begin(), l->pairs.end());
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

bool SelectStore::candidate(int64_t id, bool with_text, CandidateRow& out) {
  finish_candidate();
  Stmt& st = with_text ? cached(s_.db(), cand_text_, [&] {
    return "SELECT quality, model, uses, offloads, bytes, created_at, request, request_enc FROM " +
           s_.shadow("data") + " WHERE id = ?";
  })
                       : cached(s_.db(), cand_, [&] {
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
  // The request's stored bytes identify its text (the encoding is a pure function of it):
  // selection shows at most one example per distinct request text.
  const std::string_view request = st.blob(6);
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(st.int64(7));
  for (unsigned char ch : request) h = (h ^ ch) * 1099511628211ull;
  out.text_key = h;
  if (with_text) {
    out.request.assign(request);
    out.request_enc = static_cast<int>(st.int64(7));
  } else {
    out.request.clear();
  }
  finish_candidate();
  return true;
}

void SelectStore::finish_candidate() {
  if (open_candidate_) sqlite3_reset(open_candidate_->get());
  open_candidate_ = nullptr;
}

}  // namespace iccache::ext
