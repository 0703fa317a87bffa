#include "ext/index/training_stage.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "ext/index/index_trainer.h"
#include "ext/index/training_lock.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

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
void in_short_txn(Table& t, int64_t epoch, Fn&& fn) {
  begin_immediate(t.db);
  const double t0 = steady_clock_now();
  try {
    if (t.storage.state_int("epoch", 0) != epoch) throw EpochMoved{};
    fn();
    exec(t.db, "COMMIT");
  } catch (...) {
    sqlite3_exec(t.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  const double took = steady_clock_now() - t0;
  std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, took)));
}

bool out_of_time(double until, size_t done) { return done % 64 == 0 && steady_clock_now() >= until; }

}  // namespace

void clear_rows_table(Table& t, int slot) {
  for (int64_t deleted = 1; deleted > 0;) {
    begin_immediate(t.db);
    const double t0 = steady_clock_now();
    try {
      deleted = 0;
      if (t.index_store.active_slot() == slot) {  // never the table in use
        exec(t.db, "COMMIT");
        return;
      }
      for (int64_t d = 1; d > 0 && steady_clock_now() - t0 < kBatchSeconds;) deleted += d = t.index_store.clear_some(slot, 256);
      exec(t.db, "COMMIT");
    } catch (...) {
      sqlite3_exec(t.db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, steady_clock_now() - t0)));
  }
}

std::shared_ptr<IndexCache> write_staged(Table& t, const Snapshot& snap, index::IvfTraining& tr,
                                         TrainingStatus& st, int& old_slot) {
  const int dim = t.options.dim;
  const bool sq8 = t.options.sq8;
  const double t0 = steady_clock_now();
  const index::TrainingSet& set = snap.set;
  int to = -1;  // known once the first transaction has read the slot in use
  try {
    // Files made before T_index_alt get it now (a schema change, once).
    in_short_txn(t, snap.epoch, [&] {
      if (!t.index_store.has_alt()) t.index_store.create_alt();
      old_slot = t.index_store.active_slot();
      to = 1 - old_slot;
    });
    clear_rows_table(t, to);
    // 1. The snapshot's rows, in id order (appends).
    std::vector<uint8_t> code(sq8 ? dim : 0);
    const size_t half = set.size() / 2;
    bool held = false;
    for (size_t i = 0; i < set.size();) {
      in_short_txn(t, snap.epoch, [&] {
        const double until = steady_clock_now() + kBatchSeconds;
        do {
          const float* v = &set.data[i * dim];
          if (sq8) tr.index.encode(v, code.data());
          t.index_store.put_in(to, set.ids[i], tr.lists[i], set.tenants[i], sq8 ? code.data() : nullptr, code.size());
          ++i;
        } while (i < set.size() && !(i == half && !held) && !out_of_time(until, i));
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
      std::shared_ptr<IndexCache> built;
      std::vector<int64_t> pending;
      std::optional<Change> newest;
      double locked_at = 0;
      in_short_txn(t, snap.epoch, [&] {
        locked_at = steady_clock_now();
        std::unordered_set<int64_t> ids = changed_since(t, at, set.ids, &newest);
        pending.assign(ids.begin(), ids.end());
        if (pending.size() > kSwitchChanges && round < 8) return;  // applied below, then looked at again
        apply_changes(t, tr, pending, 0, to, 1e300);
        t.storage.set_state_int("index_slot", to);
        t.storage.set_state_int("train_switch_changes", static_cast<int64_t>(pending.size()));
        built = finish_training(t, tr, steady_clock_now() - t0);
        // The time this transaction holds the write lock, but for COMMIT (ex_state, for
        // the benchmark and docs/performance.md).
        t.storage.set_state_real("train_switch_s", steady_clock_now() - locked_at);
      });
      if (built) return built;
      std::sort(pending.begin(), pending.end());
      for (size_t i = 0; i < pending.size();)
        in_short_txn(t, snap.epoch, [&] { i = apply_changes(t, tr, pending, i, to, steady_clock_now() + kBatchSeconds); });
      at = newest;
    }
  } catch (const EpochMoved&) {
    // Trained elsewhere meanwhile ('optimize'): this result is stale.
    if (to >= 0) clear_rows_table(t, to);
    return nullptr;
  }
}

}  // namespace iccache::ext
