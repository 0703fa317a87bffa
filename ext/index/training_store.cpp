#include "ext/index/training_store.h"

#include "common/clock.h"
#include "index/shared_registry.h"
#include "index/stored_form.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

SqlTrainingStore::SqlTrainingStore(Table& t) : t_(t) {}
SqlTrainingStore::SqlTrainingStore(Table& t, std::weak_ptr<index::IndexCache> shared)
    : t_(t), background_(true), shared_(std::move(shared)) {}

void SqlTrainingStore::begin_read() { exec(t_.db, "BEGIN"); }

bool SqlTrainingStore::try_begin_write(bool last_try) {
  try {
    exec(t_.db, "BEGIN IMMEDIATE");
    return true;
  } catch (const SqlError& e) {
    if ((e.rc() & 0xff) != SQLITE_BUSY || last_try) throw;
    return false;
  }
}

void SqlTrainingStore::commit() { exec(t_.db, "COMMIT"); }
void SqlTrainingStore::rollback() noexcept { sqlite3_exec(t_.db, "ROLLBACK", nullptr, nullptr, nullptr); }
int64_t SqlTrainingStore::epoch() { return t_.storage.state_int("epoch", 0); }

index::LockRow SqlTrainingStore::lock_row() {
  const int64_t pid = t_.storage.state_int("training_pid", 0);
  if (pid == 0) return {};
  Stmt s(t_.db, "SELECT value FROM " + t_.storage.shadow("state") + " WHERE key = 'training_since'");
  return {pid, s.step() ? s.real(0) : 0};
}

void SqlTrainingStore::put_lock(const index::LockRow& row, std::optional<int64_t> log_seq) {
  t_.storage.set_state_int("training_pid", row.pid);
  t_.storage.set_state_real("training_since", row.since);
  if (log_seq) t_.storage.set_state_int("training_log_seq", *log_seq);
}

void SqlTrainingStore::drop_lock() {
  Stmt(t_.db, "DELETE FROM " + t_.storage.shadow("state") +
                  " WHERE key IN ('training_pid', 'training_since', 'training_log_seq')").run();
}

ChangeFeed& SqlTrainingStore::log() { return t_.log; }

void SqlTrainingStore::for_each_example(const std::function<void(int64_t, std::string_view, const float*)>& fn) {
  t_.index_store.for_each_example_vector(t_.options.dim, fn);
}

bool SqlTrainingStore::read_example(int64_t id, std::vector<float>& v, std::string& tenant) {
  const int dim = t_.options.dim;
  Stmt& row = cached(t_.db, example_, [&] {
    return "SELECT v.vector, d.tenant FROM " + t_.storage.shadow("vectors") + " AS v JOIN " +
           t_.storage.shadow("data") + " AS d ON d.id = v.id WHERE v.id = ?";
  });
  ResetOnExit done(row);
  row.bind(1, id);
  if (!row.step()) return false;
  v.resize(dim);
  index::copy_vector(row.blob(0), dim, id, v.data(), t_.name);
  tenant = row.text(1);
  return true;
}

int64_t SqlTrainingStore::trained_n() {
  return t_.index_store.centroids(t_.options.dim).empty() ? 0 : t_.index_store.trained_n();
}

int SqlTrainingStore::active_slot() { return t_.index_store.active_slot(); }
bool SqlTrainingStore::has_alt() { return t_.index_store.has_alt(); }
void SqlTrainingStore::create_alt() { t_.index_store.create_alt(); }

void SqlTrainingStore::put_row(int slot, int64_t id, int list, std::string_view tenant, const uint8_t* code,
                               size_t code_bytes) {
  t_.index_store.put_in(slot, id, list, tenant, code, code_bytes);
}

void SqlTrainingStore::remove_row(int slot, int64_t id) { t_.index_store.remove_from(slot, id); }
int64_t SqlTrainingStore::clear_some(int slot, int64_t limit) { return t_.index_store.clear_some(slot, limit); }
void SqlTrainingStore::clear_rows(int slot) { Stmt(t_.db, "DELETE FROM " + t_.index_store.rows_table(slot)).run(); }

void SqlTrainingStore::reset_slot() {
  Stmt(t_.db, "DELETE FROM " + t_.storage.shadow("state") + " WHERE key = 'index_slot'").run();
}

void SqlTrainingStore::switch_slot(int slot, int64_t changes) {
  t_.storage.set_state_int("index_slot", slot);
  t_.storage.set_state_int("train_switch_changes", changes);
}

void SqlTrainingStore::finish(index::IvfTraining& tr, double write_s) {
  const int dim = t_.options.dim;
  const bool sq8 = t_.options.sq8;
  t_.index_store.save_training(tr.centroids, dim, tr.ranges, static_cast<int64_t>(tr.index.size()));
  t_.index_store.save_tuning(tr.tuning.nprobe, tr.tuning.recall);
  t_.storage.set_state_real("train_kmeans_s", tr.kmeans_s);
  t_.storage.set_state_real("train_assign_s", tr.assign_s);
  t_.storage.set_state_real("train_write_s", write_s + tr.build_s);
  t_.storage.set_state_real("train_tune_s", tr.tune_s);
  Stmt(t_.db, "DELETE FROM " + t_.storage.shadow("state") + " WHERE key = 'training_due_since'").run();
  // A new epoch: every other index reloads (training rewrote every list).
  const int64_t epoch = static_cast<int64_t>(t_.nonce_rng() >> 1);
  t_.storage.set_state_int("epoch", epoch);
  Change c = t_.record_change(ChangeKind::kEpoch, 0, 0);
  built_ = std::make_shared<index::IndexCache>(dim, sq8);
  built_->loaded = true;
  built_->seq = c.seq;
  built_->gen = c.gen;
  built_->epoch = epoch;
  built_->nprobe = t_.effective_nprobe();
  // Later writes of this connection assign with the new training.
  t_.assigner.load(epoch, tr.centroids, tr.ranges);
  built_->index = std::move(tr.index);
}

void SqlTrainingStore::note_switch_seconds(double seconds) { t_.storage.set_state_real("train_switch_s", seconds); }

void SqlTrainingStore::publish() {
  if (!built_) return;
  if (!background_) {
    t_.adopt_trained(std::move(built_));
  } else if (std::shared_ptr<index::IndexCache> shared = shared_.lock()) {
    index::offer_index(*shared, *built_);
  }
}

int64_t lock_holder(Table& t) { return index::live_lock_holder(SqlTrainingStore(t).lock_row(), wall_clock_now()); }

}  // namespace iccache::ext
