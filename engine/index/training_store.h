// What a training reads and writes, as the engine's training code sees the database
// (training_run.h, staged_write.h): transactions, the epoch and the lock row in the
// table's state, the change log, the examples' vectors, the two IVF rows tables (slot 0 in
// use unless a background training switched to 1), and the store of a finished training.
// ext/index/training_store.h implements it with SQL on the table's shadow tables; engine
// tests implement it with a fake that records calls. Also the clock the training code
// reads and sleeps with (tests pass one that only counts).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/change_feed.h"
#include "index/ivf_training.h"
#include "index/training_lock.h"

namespace iccache::index {

// The table's shape and options a training uses.
struct TrainingParams {
  int dim = 0;
  bool sq8 = false;
  uint64_t seed = 0;
  int ivf_min = 0;
};

class TrainingStore {
 public:
  virtual ~TrainingStore() = default;

  // Transactions of the store's connection. begin_write tries up to kBeginWriteTries
  // times while the file is busy: serving writes hold it for milliseconds, which each try's
  // busy timeout covers; a long writer elsewhere makes the training fail (and retry later).
  static constexpr int kBeginWriteTries = 6;
  virtual void begin_read() = 0;
  void begin_write();
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // One try: false when the file is busy, unless it is the last try; throws otherwise.
  virtual bool try_begin_write(bool last_try) = 0;

  // The training epoch: a new one each time a training switches in (finish below).
  virtual int64_t epoch() = 0;
  // The lock row (LockRow{} when none); put_lock also stores the log entry `log_seq` from
  // which the change log keeps its entries while the lock is held.
  virtual LockRow lock_row() = 0;
  virtual void put_lock(const LockRow& row, std::optional<int64_t> log_seq) = 0;
  virtual void drop_lock() = 0;
  virtual ChangeFeed& log() = 0;

  // Every example's vector (dim floats) and tenant, in id order.
  virtual void for_each_example(const std::function<void(int64_t id, std::string_view tenant, const float* v)>& fn) = 0;
  // One example as it is now into v (dim floats) and tenant; false when it is gone.
  virtual bool read_example(int64_t id, std::vector<float>& v, std::string& tenant) = 0;
  // The examples of the last training, 0 when the table has none.
  virtual int64_t trained_n() = 0;

  // The rows tables.
  virtual int active_slot() = 0;
  virtual bool has_alt() = 0;     // whether slot 1's table exists
  virtual void create_alt() = 0;  // creates it (files made before it)
  virtual void put_row(int slot, int64_t id, int list, std::string_view tenant, const uint8_t* code,
                       size_t code_bytes) = 0;
  virtual void remove_row(int slot, int64_t id) = 0;
  virtual int64_t clear_some(int slot, int64_t limit) = 0;  // lowest ids first; how many went
  virtual void clear_rows(int slot) = 0;                    // all of them
  virtual void reset_slot() = 0;                            // slot 0 in use again
  // Puts `slot` in use; `changes`: the changes the switching transaction applied.
  virtual void switch_slot(int slot, int64_t changes) = 0;
  // Stores the training whose rows are written (centroids, ranges, tuning, phase times, a
  // new epoch) and builds the index that reflects it. write_s: seconds spent writing rows.
  virtual void finish(IvfTraining& tr, double write_s) = 0;
  // How long the switching transaction held the write lock, but for its COMMIT.
  virtual void note_switch_seconds(double seconds) = 0;
  // Hands the index built by finish over (to the table's connection, or the shared index).
  virtual void publish() = 0;
};

class TrainingClock {
 public:
  virtual ~TrainingClock() = default;
  virtual double now();             // steady-clock seconds
  virtual double wall();            // Unix time in seconds
  virtual void pause(double seconds);
};

}  // namespace iccache::index
