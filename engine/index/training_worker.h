// The background training worker (ext/index/index_trainer.h): one thread per process,
// started once (when a file table that may train in the background opens, or at the first
// job) and then parked on a condition variable between jobs, so that the INSERT that queues
// a training only pushes a job and wakes it (a thread start costs ~0.1 ms, more than the
// INSERT). A job is a function (the ext side opens its own connection to the file in it)
// and the status of the table it trains.
//
// Lifetime:
//   - the thread is detached and never ends; its queue, mutex and condition variables are
//     never destroyed (a condition variable destroyed while a thread waits on it blocks in
//     glibc), so static destruction at exit() never touches what the parked thread uses,
//     and exit() ends it with the process;
//   - a process that exits normally (exit(), return from main) while a job is queued or
//     running waits for it first, at most 10 minutes: the k-means must not run on while
//     exit() tears down the runtimes it uses, and the training it started is not lost;
//   - the library holding this code (the extension) is pinned in memory (RTLD_NODELETE)
//     when the thread starts: SQLite dlclose()s an extension when the last connection that
//     loaded it closes, and the parked thread's code must stay mapped;
//   - after fork() the child has no worker thread (only the forking thread survives): its
//     first job or table open starts its own, and the parent's queued jobs are not run
//     twice.
#pragma once
#include <functional>
#include <memory>

#include "index/training_status.h"

namespace iccache::index {

struct TrainingJob {
  std::shared_ptr<TrainingStatus> status;
  // Runs the training; an exception marks the status failed (TrainingStatus::failed).
  std::function<void()> run;
};

// Starts this process's worker thread unless it exists. Cheap once started (one lock).
void start_training_worker();
// Queues a job for the worker (starting it if need be) and wakes it.
void queue_training_job(TrainingJob job);
// Waits until no job of `status` is queued or running and `done()` holds (checked under
// the worker's lock, rechecked whenever a job or a training in a connection ends), at most
// timeout_s seconds; false on timeout.
bool wait_training_jobs(const TrainingStatus* status, double timeout_s, const std::function<bool()>& done);
// Wakes the waiters of wait_training_jobs (a training in a connection ended).
void notify_training_waiters();

}  // namespace iccache::index
