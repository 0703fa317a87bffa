#include "ext/index/training_write.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ext/index/index_trainer.h"
#include "ext/index/training_lock.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

Snapshot read_snapshot(Table& t) {
  Snapshot s;
  const int dim = t.options.dim;
  t.index_store.for_each_example_vector(dim, [&](int64_t id, std::string_view tenant, const float* v) {
    s.set.ids.push_back(id);
    s.set.tenants.emplace_back(tenant);
    s.set.data.insert(s.set.data.end(), v, v + dim);
  });
  s.at = t.log.last();
  s.epoch = t.storage.state_int("epoch", 0);
  return s;
}

size_t apply_changes(Table& t, index::IvfTraining& tr, const std::vector<int64_t>& changed, size_t from, int slot,
                     double until) {
  if (from >= changed.size()) return from;
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  std::vector<uint8_t> code(sq8 ? dim : 0);
  // The rows as they are now: an example written after the snapshot goes to its nearest
  // new list; a deleted one leaves the index.
  Stmt row(t.db, "SELECT v.vector, d.tenant FROM " + t.storage.shadow("vectors") + " AS v JOIN " +
                     t.storage.shadow("data") + " AS d ON d.id = v.id WHERE v.id = ?");
  std::vector<float> v(dim);
  size_t i = from;
  for (; i < changed.size() && !((i - from) % 16 == 15 && steady_clock_now() >= until); ++i) {
    const int64_t id = changed[i];
    tr.index.remove(id);
    row.reset().bind(1, id);
    if (!row.step()) {  // deleted meanwhile
      t.index_store.remove_from(slot, id);
      continue;
    }
    const std::string_view blob = row.blob(0);
    if (blob.size() != sizeof(float) * static_cast<size_t>(dim))
      throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": the stored vector of example " + std::to_string(id) +
                                              " has " + std::to_string(blob.size()) + " bytes; expected " +
                                              std::to_string(sizeof(float) * dim));
    std::memcpy(v.data(), blob.data(), blob.size());
    const std::string tenant(row.text(1));
    row.reset();
    const int list = tr.index.assign(v.data());
    if (sq8) tr.index.encode(v.data(), code.data());
    t.index_store.put_in(slot, id, list, tenant, sq8 ? code.data() : nullptr, code.size());
    tr.index.add(id, list, tenant, v.data(), sq8 ? code.data() : nullptr);
  }
  return i;
}

std::shared_ptr<IndexCache> finish_training(Table& t, index::IvfTraining& tr, double write_s) {
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  t.index_store.save_training(tr.centroids, dim, tr.ranges, static_cast<int64_t>(tr.index.size()));
  t.index_store.save_tuning(tr.tuning.nprobe, tr.tuning.recall);
  t.storage.set_state_real("train_kmeans_s", tr.kmeans_s);
  t.storage.set_state_real("train_assign_s", tr.assign_s);
  t.storage.set_state_real("train_write_s", write_s + tr.build_s);
  t.storage.set_state_real("train_tune_s", tr.tune_s);
  Stmt(t.db, "DELETE FROM " + t.storage.shadow("state") + " WHERE key = 'training_due_since'").run();
  // A new epoch: every other index reloads (training rewrote every list).
  const int64_t epoch = static_cast<int64_t>(t.nonce_rng() >> 1);
  t.storage.set_state_int("epoch", epoch);
  Change c = t.record_change(ChangeKind::kEpoch, 0, 0);
  auto built = std::make_shared<IndexCache>(dim, sq8);
  built->loaded = true;
  built->seq = c.seq;
  built->gen = c.gen;
  built->epoch = epoch;
  built->nprobe = t.effective_nprobe();
  // Later writes of this connection assign with the new training.
  t.assigner = index::IvfIndex(dim, sq8);
  t.assigner.set_training(tr.centroids, tr.ranges);
  t.assigner_epoch = epoch;
  t.assigner_loaded = true;
  built->index = std::move(tr.index);
  return built;
}

std::shared_ptr<IndexCache> write_training(Table& t, const index::TrainingSet& set, index::IvfTraining& tr,
                                           TrainingStatus* status) {
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  const auto t0 = std::chrono::steady_clock::now();
  // Emptying the rows table first turns the rewrite into appends in id order (faster than
  // replacing). With no live background training (which may be filling the table not in
  // use), the rows go to T_index, and T_index_alt is emptied too: it holds either the rows
  // replaced now or a killed training's rows, among them copies of examples deleted since
  // (privacy forget retrains here).
  int slot = t.index_store.active_slot();
  if (t.index_store.has_alt() && lock_holder(t) == 0) {
    Stmt(t.db, "DELETE FROM " + t.index_store.rows_table(1)).run();
    if (slot != 0) Stmt(t.db, "DELETE FROM " + t.storage.shadow("state") + " WHERE key = 'index_slot'").run();
    slot = 0;
  }
  Stmt(t.db, "DELETE FROM " + t.index_store.rows_table(slot)).run();
  std::vector<uint8_t> code(sq8 ? dim : 0);
  for (size_t i = 0; i < set.size(); ++i) {
    if (status && i % 4096 == 0)
      status->set("running", "writing", 0.9 + 0.1 * static_cast<double>(i) / std::max<size_t>(1, set.size()));
    const float* v = &set.data[i * dim];
    if (sq8) tr.index.encode(v, code.data());
    t.index_store.put_in(slot, set.ids[i], tr.lists[i], set.tenants[i], sq8 ? code.data() : nullptr, code.size());
  }
  return finish_training(t, tr, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

std::unordered_set<int64_t> changed_since(Table& t, const std::optional<Change>& at,
                                          const std::vector<int64_t>& snapshot_ids, std::optional<Change>* newest) {
  std::unordered_set<int64_t> changed;
  std::vector<Change> after;
  const bool from_log = at && t.log.gen_at(at->seq) == at->gen && t.log.after(at->seq, 1 << 20, after);
  if (from_log) {
    for (const Change& c : after)
      if (c.kind == ChangeKind::kExample) changed.insert(c.id);
  } else {
    for (int64_t id : snapshot_ids) changed.insert(id);
    t.index_store.for_each_example_vector(t.options.dim, [&](int64_t id, std::string_view, const float*) {
      changed.insert(id);
    });
  }
  if (newest) *newest = from_log && !after.empty() ? std::optional<Change>(after.back()) : from_log ? at : t.log.last();
  return changed;
}

}  // namespace iccache::ext
