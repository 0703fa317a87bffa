// The training state of one table in this process (shared by its connections like the
// index, index/shared_registry.h), and the rules that move it: when a background job
// may be queued (the retry pause, a job already queued or running), what a failure, a lock
// found taken elsewhere, or a finished training leave behind. ex_stats shows it
// (training_* rows, ext/index/index_trainer.cpp training_stats).
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "common/stat_rows.h"
#include "index/ivf_training.h"
#include "options/table_options.h"

namespace iccache::index {

// After a failure, or finding another process training, no new job for this long.
constexpr double kRetryPauseSeconds = 30;

// Why a training is asked for:
//   kDue: a write found the table over its threshold (Table::maybe_train);
//   kOnUse: a search of the IVF found it due under training='on-use'; never trains inside
//     the search's statement (an in-memory table trains at its next write instead);
//   kCommand: INSERT INTO ex(ex) VALUES('optimize-background'): trains whatever the
//     threshold and the retry pause say.
enum class TrainingRequest { kDue, kOnUse, kCommand };

struct TrainingStatus {
  mutable std::mutex mu;
  std::string state = "idle";  // idle | queued | running | failed
  std::string phase;           // reading | kmeans | assigning | building | tuning | writing
  double progress = 0;         // share done, 0 to 1 (by phase)
  std::string error;           // why the last background training failed
  int64_t runs = 0;            // trainings finished by this process (background and now)
  int64_t background_runs = 0; // of which in the background
  double last_seconds = 0;     // duration of the last training
  double retry_at = 0;         // steady-clock seconds: no new background job before this
  // Whether a connection of the trainer's own can read the file: -1 not known yet, 0 no (an
  // encrypted file, whose key only the application's connections hold: trained in the
  // writing connection instead, as in-memory tables are), 1 yes.
  int own_connection_reads = -1;
  // training='on-use' (table_options.h): whether the IVF has served a search in this
  // process, and when a search last checked whether training is due.
  bool ivf_searched = false;
  double due_checked_at = -1e9;

  void set(std::string_view state_, std::string_view phase_, double progress_);
  // The progress callback of train_ivf: its share maps to 0.05 .. 0.9 of the whole (reading
  // before, writing after).
  TrainingProgressFn computing();
  // Whether a job may be queued now (steady-clock `now`), and if so marks it queued: not
  // when one is queued or running in this process, nor (but for kCommand) before retry_at.
  bool try_queue(TrainingRequest why, double now);
  // Whether a job is queued or running (a waiter waits on).
  bool busy() const;
  // A background job failed with `error`: no new job for kRetryPauseSeconds.
  void failed(const std::string& error, double now);
  // A background job found another process training: idle, no new job for a pause.
  void taken_elsewhere(double now);
  // A background job ended: idle, the last error cleared; counted when it switched a
  // training in (`built`).
  void background_done(bool built, double seconds);
  // A training in the caller's transaction ended (the last background error stays).
  void done_now(double seconds);
  // After fork(), in the child, for a job of the parent's it will never run: idle again so
  // that its own writes can queue. Skipped when the lock is held (by a thread the child does
  // not have): left as it was.
  void forget_in_child();
  // training='on-use': a search of the IVF marks it used; true when this search is to check
  // whether training is due (at most once a second: a due check reads T_state).
  bool note_search(double now);
  bool searched() const;
  // Whether a write that finds training due asks for one under the training= policy
  // (options/table_options.h): 'manual' waits for a command; 'on-use' for the IVF to have
  // served a search in this process (then the write asks, as 'background' does).
  bool write_asks(TrainingPolicy policy) const;
  // Whether a connection of the trainer's own can read the file: `probe` (1 yes, 0 no, -1
  // cannot tell now) is asked until it tells, once per process and table.
  bool own_connection_can_read(const std::function<int()>& probe);
};

// What ex_stats shows of a table's training besides its status, as the ext side reads it.
struct TrainingFacts {
  int64_t lock_pid = 0;   // the live holder of the lock row (a training elsewhere), 0 none
  int64_t n = 0;          // examples now
  int64_t trained_n = 0;  // examples at the last training
  int ivf_min = 0;
  int64_t due_since = 0;  // T_state 'training_due_since', 0 when none
  TrainingPolicy policy = TrainingPolicy::kBackground;
};
// The ex_stats rows: training_state, training_phase, training_progress, training_running,
// training_runs, training_background_runs, training_last_s, training_error,
// training_lock_pid, then the policy (training= option) and whether the table is over its
// threshold, what an off-peak job reads to decide whether to run 'optimize':
// training_policy, training_ivf_searched, training_trained_n, training_new_examples,
// training_due, training_due_since.
void training_stats(const TrainingStatus& st, const TrainingFacts& f, StatRows& out);

// What a request for a training does. Without a background training for the table
// (`background` null: in-memory or temp, which no other connection can open; encrypted,
// which a connection of the trainer's own cannot read; a host SQLite built without thread
// support, which must not be used from a second thread) it trains now, but a search
// (kOnUse) never trains in its own statement: a MATCH must not write, so such a table
// trains at its next write (Table::maybe_train). Else it queues a job on `background` when
// try_queue lets it.
enum class RequestAction { kNothing, kTrainNow, kQueue };
RequestAction request_action(TrainingRequest why, TrainingStatus* background, double now);

// From a database file's first 16 bytes: whether a connection of its own can read it (1),
// or not (0: an encrypted file: SQLCipher writes a random salt where a plain database
// starts with "SQLite format 3\0", and the key is the application's, which SQLite has no
// way to hand on); -1 when the file has no header yet (created in a transaction not
// committed yet). Those bytes never change once written, so reading them needs no lock
// (the caller may hold a write transaction that would make a reading connection wait).
int plain_database_header(const std::string& path);

}  // namespace iccache::index
