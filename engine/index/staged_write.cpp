#include "index/staged_write.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "common/clock.h"

namespace iccache::index {

double TrainingClock::now() { return steady_clock_now(); }
double TrainingClock::wall() { return wall_clock_now(); }
void TrainingClock::pause(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

namespace {

// Test hook: while the file named by ICCACHE_TRAINING_HOLD exists, a background training
// waits halfway through writing its rows (tests write meanwhile, or kill the process: the
// table not in use then holds half a training).
void hold_for_tests() {
  const char* path = std::getenv("ICCACHE_TRAINING_HOLD");
  if (!path || !*path) return;
  while (::access(path, F_OK) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// Thrown inside a transaction when the epoch moved since the snapshot.
struct EpochMoved {};

// Runs fn in a write transaction of its own, then pauses as long as it held the write lock
// (at least a millisecond; not counting the wait for it): writers waiting on their busy
// timeout get the lock in between.
template <class Fn>
void in_short_txn(TrainingStore& store, TrainingClock& clock, int64_t epoch, Fn&& fn) {
  store.begin_write();
  const double t0 = clock.now();
  try {
    if (store.epoch() != epoch) throw EpochMoved{};
    fn();
    store.commit();
  } catch (...) {
    store.rollback();
    throw;
  }
  const double took = clock.now() - t0;
  clock.pause(std::max(0.001, took));
}

bool out_of_time(TrainingClock& clock, double until, size_t done) { return done % 64 == 0 && clock.now() >= until; }

}  // namespace

TrainingSnapshot read_snapshot(TrainingStore& store, int dim) {
  TrainingSnapshot s;
  store.for_each_example([&](int64_t id, std::string_view tenant, const float* v) {
    s.set.ids.push_back(id);
    s.set.tenants.emplace_back(tenant);
    s.set.data.insert(s.set.data.end(), v, v + dim);
  });
  s.at = store.log().last();
  s.epoch = store.epoch();
  return s;
}

std::unordered_set<int64_t> changed_since(TrainingStore& store, const std::optional<Change>& at,
                                          const std::vector<int64_t>& snapshot_ids, std::optional<Change>* newest) {
  std::unordered_set<int64_t> changed;
  std::vector<Change> after;
  ChangeFeed& log = store.log();
  const bool from_log = at && log.gen_at(at->seq) == at->gen && log.after(at->seq, 1 << 20, after);
  if (from_log) {
    for (const Change& c : after)
      if (c.kind == ChangeKind::kExample) changed.insert(c.id);
  } else {
    for (int64_t id : snapshot_ids) changed.insert(id);
    store.for_each_example([&](int64_t id, std::string_view, const float*) { changed.insert(id); });
  }
  if (newest) *newest = from_log && !after.empty() ? std::optional<Change>(after.back()) : from_log ? at : log.last();
  return changed;
}

size_t apply_changes(TrainingStore& store, IvfTraining& tr, const TrainingParams& p, const std::vector<int64_t>& changed,
                     size_t from, int slot, double until, TrainingClock& clock) {
  if (from >= changed.size()) return from;
  std::vector<uint8_t> code(p.sq8 ? p.dim : 0);
  // The rows as they are now: an example written after the snapshot goes to its nearest
  // new list; a deleted one leaves the index.
  std::vector<float> v(p.dim);
  std::string tenant;
  size_t i = from;
  for (; i < changed.size() && !((i - from) % 16 == 15 && clock.now() >= until); ++i) {
    const int64_t id = changed[i];
    tr.index.remove(id);
    if (!store.read_example(id, v, tenant)) {  // deleted meanwhile
      store.remove_row(slot, id);
      continue;
    }
    const int list = tr.index.assign(v.data());
    if (p.sq8) tr.index.encode(v.data(), code.data());
    store.put_row(slot, id, list, tenant, p.sq8 ? code.data() : nullptr, code.size());
    tr.index.add(id, list, tenant, v.data(), p.sq8 ? code.data() : nullptr);
  }
  return i;
}

void clear_rows_table(TrainingStore& store, int slot, TrainingClock& clock) {
  for (int64_t deleted = 1; deleted > 0;) {
    store.begin_write();
    const double t0 = clock.now();
    try {
      deleted = 0;
      if (store.active_slot() == slot) {  // never the table in use
        store.commit();
        return;
      }
      // At least one statement per transaction: on a loaded machine the batch's time can be
      // gone before the first one, and clearing nothing would end the loop with the rows of
      // a killed training still in the table about to be filled and switched into use.
      int64_t d = 0;
      do {
        deleted += d = store.clear_some(slot, kClearRows);
      } while (d > 0 && clock.now() - t0 < kBatchSeconds);
      store.commit();
    } catch (...) {
      store.rollback();
      throw;
    }
    clock.pause(std::max(0.001, clock.now() - t0));
  }
}

bool write_staged(TrainingStore& store, const TrainingSnapshot& snap, IvfTraining& tr, const TrainingParams& p,
                  TrainingStatus& st, TrainingClock& clock, int& old_slot) {
  const double t0 = clock.now();
  const TrainingSet& set = snap.set;
  int to = -1;  // known once the first transaction has read the slot in use
  try {
    // Files made before T_index_alt get it now (a schema change, once).
    in_short_txn(store, clock, snap.epoch, [&] {
      if (!store.has_alt()) store.create_alt();
      old_slot = store.active_slot();
      to = 1 - old_slot;
    });
    clear_rows_table(store, to, clock);
    // 1. The snapshot's rows, in id order (appends).
    std::vector<uint8_t> code(p.sq8 ? p.dim : 0);
    const size_t half = set.size() / 2;
    bool held = false;
    for (size_t i = 0; i < set.size();) {
      in_short_txn(store, clock, snap.epoch, [&] {
        const double until = clock.now() + kBatchSeconds;
        do {
          const float* v = &set.data[i * p.dim];
          if (p.sq8) tr.index.encode(v, code.data());
          store.put_row(to, set.ids[i], tr.lists[i], set.tenants[i], p.sq8 ? code.data() : nullptr, code.size());
          ++i;
        } while (i < set.size() && !(i == half && !held) && !out_of_time(clock, until, i));
      });
      st.set("running", "writing", 0.9 + 0.08 * static_cast<double>(i) / static_cast<double>(set.size()));
      if (i >= half && !held) {
        held = true;
        hold_for_tests();
      }
    }
    // 2. The examples written meanwhile, in rounds while many; 3. the switch.
    std::optional<Change> at = snap.at;
    for (int round = 0;; ++round) {
      bool built = false;
      std::vector<int64_t> pending;
      std::optional<Change> newest;
      double locked_at = 0;
      in_short_txn(store, clock, snap.epoch, [&] {
        locked_at = clock.now();
        std::unordered_set<int64_t> ids = changed_since(store, at, set.ids, &newest);
        pending.assign(ids.begin(), ids.end());
        if (pending.size() > kSwitchChanges && round < 8) return;  // applied below, then looked at again
        apply_changes(store, tr, p, pending, 0, to, 1e300, clock);
        store.switch_slot(to, static_cast<int64_t>(pending.size()));
        store.finish(tr, clock.now() - t0);
        // The time this transaction holds the write lock, but for COMMIT (ex_state, for
        // the benchmark and docs/performance.md).
        store.note_switch_seconds(clock.now() - locked_at);
        built = true;
      });
      if (built) return true;
      std::sort(pending.begin(), pending.end());
      for (size_t i = 0; i < pending.size();)
        in_short_txn(store, clock, snap.epoch,
                     [&] { i = apply_changes(store, tr, p, pending, i, to, clock.now() + kBatchSeconds, clock); });
      at = newest;
    }
  } catch (const EpochMoved&) {
    // Trained elsewhere meanwhile ('optimize'): this result is stale.
    if (to >= 0) clear_rows_table(store, to, clock);
    return false;
  }
}

}  // namespace iccache::index
