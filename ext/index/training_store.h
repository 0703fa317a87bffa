// The training store (engine/index/training_store.h) over a table's shadow tables: what
// the engine's training code (engine/index/training_run.h, staged_write.h) reads and
// writes, as SQL on the table's connection. The lock row is T_state keys 'training_pid'
// (the holder's process id), 'training_since' (wall-clock seconds when taken) and
// 'training_log_seq' (the newest change-log entry then: the log keeps what follows while
// the lock is held, so that the training can apply the changes made meanwhile from it).
#pragma once
#include <cstdint>
#include <memory>

#include "index/training_store.h"
#include "index/index_cache.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

struct Table;

class SqlTrainingStore : public index::TrainingStore {
 public:
  // For a training in t's connection (publish: t adopts the built index).
  explicit SqlTrainingStore(Table& t);
  // For a background job on its own connection (publish: offered to the process's shared
  // index, when it still exists).
  SqlTrainingStore(Table& t, std::weak_ptr<index::IndexCache> shared);

  void begin_read() override;
  bool try_begin_write(bool last_try) override;
  void commit() override;
  void rollback() noexcept override;
  int64_t epoch() override;
  index::LockRow lock_row() override;
  void put_lock(const index::LockRow& row, std::optional<int64_t> log_seq) override;
  void drop_lock() override;
  ChangeFeed& log() override;
  void for_each_example(const std::function<void(int64_t, std::string_view, const float*)>& fn) override;
  bool read_example(int64_t id, std::vector<float>& v, std::string& tenant) override;
  int64_t trained_n() override;
  int active_slot() override;
  bool has_alt() override;
  void create_alt() override;
  void put_row(int slot, int64_t id, int list, std::string_view tenant, const uint8_t* code, size_t code_bytes) override;
  void remove_row(int slot, int64_t id) override;
  int64_t clear_some(int slot, int64_t limit) override;
  void clear_rows(int slot) override;
  void reset_slot() override;
  void switch_slot(int slot, int64_t changes) override;
  void finish(index::IvfTraining& tr, double write_s) override;
  void note_switch_seconds(double seconds) override;
  void publish() override;

 private:
  Table& t_;
  bool background_ = false;
  std::weak_ptr<index::IndexCache> shared_;
  std::shared_ptr<index::IndexCache> built_;  // by finish
  Stmt example_;                       // read_example's (cached)
};

// The pid of a live training holding t's lock row (another process, or a job of this
// one), 0 when none.
int64_t lock_holder(Table& t);

}  // namespace iccache::ext
