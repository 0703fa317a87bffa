// Table: the per-connection state of one iccache table and its writes. A write changes the
// shadow tables and appends a change-log entry inside the writing transaction; no index in
// memory is touched (each one follows the log at its next query, index/index_follower.h), so a
// failed or rolled-back write can never leave memory ahead of the file.
#include <cstring>
#include <ctime>

#include "index/training_policy.h"
#include "common/clock.h"
#include "ext/table/vtab.h"
#include "table/request_embedding.h"

namespace iccache::ext {

Table::Table(sqlite3* db_, const std::string& schema, const std::string& name_, TableOptions opts)
    : db(db_),
      name(name_),
      options(std::move(opts)),
      storage(db_, schema, name_),
      index_store(storage),
      manage(storage),
      log(storage),
      overlay(options.dim),
      assigner(options.dim, options.sq8),
      stmts(db_),
      nonce_rng(std::random_device{}()) {
  std::memset(static_cast<sqlite3_vtab*>(this), 0, sizeof(sqlite3_vtab));
  if (options.embedder == EmbedderKind::kHash) embedder = std::make_unique<HashEmbedder>(options.dim);
  cache = std::make_shared<index::IndexCache>(options.dim, options.sq8);
  training = std::make_shared<TrainingStatus>();
  if (lexical_on()) lexical = std::make_shared<lexical::LexicalCache>();
}

int Table::effective_nprobe() {
  // The 'nprobe=N' command, the CREATE option, the tuned value (index/training_policy.h).
  const int64_t command = storage.state_int("nprobe", 0);
  const int tuned = command > 0 || options.nprobe > 0 ? 0 : index_store.tuned_nprobe();  // read when it decides
  return index::effective_nprobe(command, options.nprobe, tuned);
}

Change Table::record_change(ChangeKind kind, int64_t id, int64_t n_delta) {
  const int64_t g = static_cast<int64_t>(nonce_rng() >> 1);  // random: a rollback can never
  storage.set_generation(g);                                  // bring back a value in use
  Change c = log.append(kind, id, g, n_delta, [this] { return storage.count(); });
  if (c.seq % 256 == 0) log.prune(options.change_log_keep, options.change_log_age);
  return c;
}

void Table::set_nprobe(int n) {
  storage.set_state_int("nprobe", n);
  record_change(ChangeKind::kSettings, 0, 0);  // every index re-reads it at its next query
}

int64_t Table::insert_example(const int64_t* id, const StoredExample& row, const float* vec) {
  int64_t new_id = storage.insert(id, row, vec, options.dim);
  put_index_row(new_id, vec, row.tenant);
  Change c = record_change(ChangeKind::kExample, new_id, +1);
  maybe_train(c.n);
  maybe_count_idf(c.n);
  return new_id;
}

void Table::update_example(int64_t old_id, int64_t new_id, const StoredExample& row, const float* vec) {
  if (new_id != old_id) {
    storage.change_id(old_id, new_id);
    index_store.change_id(old_id, new_id);
    record_change(ChangeKind::kExample, old_id, -1);
  }
  storage.update(new_id, row, vec, options.dim);
  put_index_row(new_id, vec, row.tenant);
  record_change(ChangeKind::kExample, new_id, new_id != old_id ? +1 : 0);
}

void Table::delete_example(int64_t id) {
  storage.remove(id);
  index_store.remove(id);
  Change c = record_change(ChangeKind::kExample, id, -1);
  maybe_count_idf(c.n);
}

void Table::maybe_train(int64_t n) {
  const int64_t trained_n = assigner.trained() ? index_store.trained_n() : 0;
  if (!index::training_due(n, trained_n, options.ivf_min)) return;
  // Since when training has been due (ex_stats training_due_since; a training deletes it):
  // written once, inside this write's transaction, so a rollback takes it back too.
  if (storage.state_int("training_due_since", 0) == 0) storage.set_state_int("training_due_since", std::time(nullptr));
  // training= (table_options.h; whether this write asks: TrainingStatus::write_asks).
  if (!training_status()->write_asks(options.training)) return;
  // Off the request path for file tables: this write only queues a background training
  // (index_trainer.h); in-memory and temp tables train now.
  request_training(*this);
}

void Table::note_ivf_search(int64_t n) {
  if (options.training != TrainingPolicy::kOnUse) return;
  if (!training->note_search(steady_clock_now())) return;
  const int64_t trained_n = index_store.trained_n();
  if (index::training_due(n, trained_n, options.ivf_min)) request_training(*this, TrainingRequest::kOnUse);
}

void Table::train_index() { train_now(*this); }

std::vector<float> Table::embed_text(std::string_view text, const std::string& what) {
  return table::embed_request(embedder.get(), options.dim, text, what);
}

std::vector<float> Table::embed_query(std::string_view text, const std::string& what) {
  return table::embed_query(embedder.get(), options.dim, options.pii, text, what);
}

}  // namespace iccache::ext
