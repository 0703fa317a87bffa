#include "index/training_worker.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "common/clock.h"

namespace iccache::index {

namespace {

struct Worker {
  std::mutex mu;
  std::condition_variable work;  // a job was queued (the worker waits on it)
  std::condition_variable done;  // a job or a training ended (wait_training_jobs)
  std::deque<TrainingJob> queue;
  std::shared_ptr<TrainingStatus> running;  // the status of the job being run
  pid_t pid = 0;                            // the process whose worker thread exists
  bool registered = false;                  // the exit and fork handlers
};

Worker& w() {
  static auto* it = new Worker();  // never destroyed (see training_worker.h)
  return *it;
}

constexpr double kExitWaitSeconds = 600;

void run_one(TrainingJob& job) {
  try {
    job.run();
  } catch (const std::exception& e) {
    job.status->failed(e.what(), steady_clock_now());
  }
}

void worker_main() {
  // SCHED_BATCH (Linux): the same CPU share, but waking up never preempts a running thread,
  // so the serving thread that queued a job (its INSERT not committed yet) keeps its core
  // on a busy machine instead of yielding it to the training it just woke. Threads this
  // one starts (the k-means' OpenMP team) inherit it.
#ifdef SCHED_BATCH
  sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
#endif
  Worker& s = w();
  for (;;) {
    TrainingJob job;
    {
      std::unique_lock lock(s.mu);
      s.work.wait(lock, [&] { return !s.queue.empty(); });
      job = std::move(s.queue.front());
      s.queue.pop_front();
      s.running = job.status;
    }
    run_one(job);
    job = TrainingJob{};  // lets go of the index and the status before waking waiters
    {
      std::lock_guard lock(s.mu);
      s.running.reset();
    }
    s.done.notify_all();
  }
}

void wait_at_exit() {
  Worker& s = w();
  std::unique_lock lock(s.mu);
  if (s.pid != getpid()) return;  // a forked child whose parent's worker it does not have
  s.done.wait_for(lock, std::chrono::duration<double>(kExitWaitSeconds),
                  [&] { return s.queue.empty() && !s.running; });
}

// fork(): the child gets the parent's memory but only the forking thread. The worker's lock
// is held across fork() so that the child's copy is consistent; the child then has no worker
// and drops the parent's jobs (the parent runs them), marking their tables idle in its copy
// of the shared state so that its own writes can queue again.
void before_fork() { w().mu.lock(); }
void after_fork_parent() { w().mu.unlock(); }
void after_fork_child() {
  Worker& s = w();
  for (const TrainingJob& j : s.queue)
    if (j.status) j.status->forget_in_child();
  if (s.running) s.running->forget_in_child();
  s.queue.clear();
  s.running.reset();
  s.pid = 0;
  s.mu.unlock();
}

// Keeps this library mapped for the rest of the process (see training_worker.h). A
// program that links iccache statically finds its own executable here, which is never
// unloaded anyway.
void pin_library() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&worker_main), &info) && info.dli_fname)
    (void)dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);  // the handle is kept on purpose
}

// Caller holds s.mu.
void start_locked(Worker& s) {
  const pid_t me = getpid();
  if (s.pid == me) return;
  if (!s.registered) {
    pin_library();
    std::atexit(wait_at_exit);
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    s.registered = true;
  }
  std::thread(worker_main).detach();
  s.pid = me;
}

}  // namespace

void start_training_worker() {
  Worker& s = w();
  std::lock_guard lock(s.mu);
  start_locked(s);
}

void queue_training_job(TrainingJob job) {
  Worker& s = w();
  {
    std::lock_guard lock(s.mu);
    start_locked(s);
    s.queue.push_back(std::move(job));
  }
  s.work.notify_one();
}

bool wait_training_jobs(const TrainingStatus* status, double timeout_s, const std::function<bool()>& done) {
  Worker& s = w();
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  std::unique_lock lock(s.mu);
  return s.done.wait_until(lock, until, [&] {
    if (s.running.get() == status) return false;
    for (const TrainingJob& j : s.queue)
      if (j.status.get() == status) return false;
    return done();
  });
}

void notify_training_waiters() {
  Worker& s = w();
  { std::lock_guard lock(s.mu); }  // a waiter between its check and its wait sees the change
  s.done.notify_all();
}

}  // namespace iccache::index
