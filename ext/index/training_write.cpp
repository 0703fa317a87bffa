#include "ext/index/training_write.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ext/index/index_trainer.h"
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

std::shared_ptr<IndexCache> write_training(Table& t, const index::TrainingSet& set, index::IvfTraining& tr,
                                           const std::unordered_set<int64_t>& changed, TrainingStatus* status) {
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  // Emptying T_index first turns the rewrite into appends in id order (faster than replacing).
  std::vector<uint8_t> code(sq8 ? dim : 0);
  int64_t n = 0;
  const size_t total = set.size() + changed.size();
  auto progress = [&](size_t done) {
    if (status && done % 4096 == 0)
      status->set("running", "writing", 0.9 + 0.1 * static_cast<double>(done) / std::max<size_t>(1, total));
  };
  t.index_store.clear_rows();
  for (size_t i = 0; i < set.size(); ++i) {
    progress(i);
    if (!changed.empty() && changed.count(set.ids[i])) continue;
    const float* v = &set.data[i * dim];
    if (sq8) tr.index.encode(v, code.data());
    t.index_store.put(set.ids[i], tr.lists[i], set.tenants[i], sq8 ? code.data() : nullptr, code.size());
    ++n;
  }
  if (!changed.empty()) {
    // The rows as they are now: an example written after the snapshot goes to its nearest
    // new list; a deleted one leaves the index.
    Stmt row(t.db, "SELECT v.vector, d.tenant FROM " + t.storage.shadow("vectors") + " AS v JOIN " +
                       t.storage.shadow("data") + " AS d ON d.id = v.id WHERE v.id = ?");
    std::vector<float> v(dim);
    size_t done = set.size();
    for (int64_t id : changed) {
      progress(done++);
      tr.index.remove(id);
      row.reset().bind(1, id);
      if (!row.step()) continue;  // deleted meanwhile
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
      t.index_store.put(id, list, tenant, sq8 ? code.data() : nullptr, code.size());
      tr.index.add(id, list, tenant, v.data(), sq8 ? code.data() : nullptr);
      ++n;
    }
  }
  t.index_store.save_training(tr.centroids, dim, tr.ranges, n);
  t.index_store.save_tuning(tr.tuning.nprobe, tr.tuning.recall);
  t.storage.set_state_real("train_kmeans_s", tr.kmeans_s);
  t.storage.set_state_real("train_assign_s", tr.assign_s);
  t.storage.set_state_real("train_write_s", std::chrono::duration<double>(Clock::now() - t0).count() + tr.build_s);
  t.storage.set_state_real("train_tune_s", tr.tune_s);
  Stmt(t.db, "DELETE FROM " + t.storage.shadow("state") + " WHERE key = 'training_due_since'").run();
  // A new epoch: every other index reloads (training rewrote every list).
  const int64_t epoch = static_cast<int64_t>(t.nonce_rng() >> 1);
  t.storage.set_state_int("epoch", epoch);
  Change c = t.record_change(ChangeKind::kEpoch, 0, 0);
  auto built = std::make_shared<IndexCache>(dim, sq8);
  built->index = std::move(tr.index);
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
  return built;
}

std::unordered_set<int64_t> changed_since(Table& t, const Snapshot& snap) {
  std::unordered_set<int64_t> changed;
  std::vector<Change> after;
  const bool from_log =
      snap.at && t.log.gen_at(snap.at->seq) == snap.at->gen && t.log.after(snap.at->seq, 1 << 20, after);
  if (from_log) {
    for (const Change& c : after)
      if (c.kind == ChangeKind::kExample) changed.insert(c.id);
  } else {
    for (int64_t id : snap.set.ids) changed.insert(id);
    t.index_store.for_each_example_vector(t.options.dim, [&](int64_t id, std::string_view, const float*) {
      changed.insert(id);
    });
  }
  return changed;
}

}  // namespace iccache::ext
