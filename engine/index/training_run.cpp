#include "index/training_run.h"

#include <unistd.h>

#include <algorithm>

#include "index/staged_write.h"
#include "index/training_policy.h"
#include "index/training_worker.h"

namespace iccache::index {

void TrainingStore::begin_write() {
  for (int tries = 1; !try_begin_write(tries == kBeginWriteTries); ++tries) {
  }
}

bool take_lock(TrainingStore& store, int64_t self, TrainingClock& clock) {
  store.begin_write();
  try {
    const int64_t holder = live_lock_holder(store.lock_row(), clock.wall());
    if (holder != 0 && holder != self) {
      store.commit();
      return false;
    }
    // The log keeps the entries from here on while the lock is held (ChangeLog::prune): the
    // snapshot read after this is at this entry or later.
    std::optional<Change> at = store.log().last();
    store.put_lock({self, clock.wall()}, at ? std::optional<int64_t>(at->seq) : std::nullopt);
    store.commit();
    return true;
  } catch (...) {
    store.rollback();
    throw;
  }
}

void release_lock(TrainingStore& store) noexcept {
  try {
    store.begin_write();
    store.drop_lock();
    store.commit();
  } catch (...) {
    store.rollback();  // taken over after the lease
  }
}

void run_background_training(TrainingStore& store, TrainingStatus& st, const TrainingParams& p, bool forced,
                             TrainingClock& clock) {
  const double t0 = clock.now();
  bool locked = false;
  try {
    st.set("running", "reading", 0.0);
    if (!take_lock(store, ::getpid(), clock)) {
      st.taken_elsewhere(clock.now());
      return;
    }
    locked = true;
    store.begin_read();
    TrainingSnapshot snap = read_snapshot(store, p.dim);
    store.commit();
    // Another process may have trained meanwhile: whether the table still needs it.
    const int64_t n = static_cast<int64_t>(snap.set.size());
    if (n == 0 || (!forced && !training_due(n, store.trained_n(), p.ivf_min))) {
      store.begin_write();
      store.drop_lock();
      store.commit();
      st.set("idle", "", 0.0);
      return;
    }
    IvfTraining tr = train_ivf(snap.set, p.dim, p.sq8, p.seed, st.computing());
    st.set("running", "writing", 0.9);
    int old_slot = 0;
    const bool built = write_staged(store, snap, tr, p, st, clock, old_slot);
    // In use now; the rows table left behind is emptied before the lock row goes.
    if (built) {
      store.publish();
      st.set("running", "writing", 0.99);
      clear_rows_table(store, old_slot, clock);
    }
    store.begin_write();
    try {
      store.drop_lock();
      store.commit();
    } catch (...) {
      store.rollback();
      throw;
    }
    locked = false;
    st.background_done(built, clock.now() - t0);
  } catch (...) {
    if (locked) release_lock(store);
    throw;
  }
}

void write_in_place(TrainingStore& store, const TrainingSet& set, IvfTraining& tr, const TrainingParams& p,
                    TrainingStatus* status, TrainingClock& clock) {
  const double t0 = clock.now();
  // Emptying the rows table first turns the rewrite into appends in id order (faster than
  // replacing). With no live background training (which may be filling the table not in
  // use), the rows go to slot 0, and slot 1 is emptied too: it holds either the rows
  // replaced now or a killed training's rows, among them copies of examples deleted since
  // (privacy forget retrains here).
  int slot = store.active_slot();
  if (store.has_alt() && live_lock_holder(store.lock_row(), clock.wall()) == 0) {
    store.clear_rows(1);
    if (slot != 0) store.reset_slot();
    slot = 0;
  }
  store.clear_rows(slot);
  std::vector<uint8_t> code(p.sq8 ? p.dim : 0);
  for (size_t i = 0; i < set.size(); ++i) {
    if (status && i % 4096 == 0)
      status->set("running", "writing", 0.9 + 0.1 * static_cast<double>(i) / std::max<size_t>(1, set.size()));
    const float* v = &set.data[i * p.dim];
    if (p.sq8) tr.index.encode(v, code.data());
    store.put_row(slot, set.ids[i], tr.lists[i], set.tenants[i], p.sq8 ? code.data() : nullptr, code.size());
  }
  store.finish(tr, clock.now() - t0);
}

void train_in_place(TrainingStore& store, TrainingStatus& st, const TrainingParams& p, TrainingClock& clock) {
  const double t0 = clock.now();
  st.set("running", "reading", 0.0);
  try {
    TrainingSnapshot snap = read_snapshot(store, p.dim);
    if (snap.set.size() == 0) {
      st.set("idle", "", 0.0);
      return;
    }
    IvfTraining tr = train_ivf(snap.set, p.dim, p.sq8, p.seed, st.computing());
    st.set("running", "writing", 0.9);
    write_in_place(store, snap.set, tr, p, &st, clock);
    store.publish();
  } catch (...) {
    st.set("idle", "", 0.0);
    notify_training_waiters();
    throw;
  }
  st.done_now(clock.now() - t0);
  notify_training_waiters();
}

}  // namespace iccache::index
