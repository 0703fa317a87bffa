// Crash test: a child process runs the workload (inserts, deletes, updates, routing with
// feedback, 'optimize', deliberate rollbacks) in transactions and is killed with SIGKILL
// at a random moment; after each kill the file must open, pass PRAGMA integrity_check and
// the iccache integrity-check, and hold exactly the state of its last committed
// transaction (crash_verify.cpp). Kills alternate between a WAL file and a rollback-journal
// file with SQ8 lists. The child also queues background trainings ('optimize-background'
// every few transactions, on top of the automatic ones), and every other kill is aimed at
// one: a hold file (ICCACHE_TRAINING_HOLD) keeps the child's training between computing and
// writing until the child reports its lock row, then the kill lands there, or a few
// milliseconds after the hold is lifted (in the write transaction or just after it). A kill
// landed inside a training when the file afterwards holds the killed process's lock row;
// the summary counts those (at least one is required), and the verification (exact state,
// integrity checks, MATCH through the IVF) is the same for every kill.
//
//   iccache_crash_test [--kills N] [--seed S] [--max-delay-ms M] [--dir D] [--ext PATH]
//   (iccache_crash_test --child DB EXT FD is the child, started by the test itself)
//
// Prints one line per kill and a summary; exits 0 only when every kill survived.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "conn.h"
#include "crash_child.h"
#include "crash_verify.h"
#include "crash_workload.h"

using namespace iccache_rel;

namespace {

struct Options {
  int kills = 20;
  uint64_t seed = 1;
  int max_delay_ms = 400;
  std::string dir;
  std::string ext = ICCACHE_EXT_PATH;
};

// What the child announced: last transaction begun and last acknowledged.
struct Progress {
  int64_t started = 0, acked = 0;
  bool training = false;  // between "O t" and "T t": inside 'optimize'
  bool held = false;      // "R t": its background training holds the lock row
  pid_t pid = 0;
  std::string partial;
  void feed(const char* p, size_t n) {
    partial.append(p, n);
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      const int64_t t = std::stoll(partial.substr(2, nl - 2));
      switch (partial[0]) {
        case 'B': started = t; break;
        case 'C': acked = t; break;
        case 'O': training = true; break;
        case 'R': held = true; break;
        default: training = false; break;
      }
      partial.erase(0, nl + 1);
    }
  }
};

using Clock = std::chrono::steady_clock;

// Reads the child's announcements until `deadline` (or end of file, or nothing left once
// the deadline has passed).
void drain(int fd, Progress& p, Clock::time_point deadline) {
  pollfd pfd{fd, POLLIN, 0};
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left, 0))) <= 0) return;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return;
    p.feed(buf, static_cast<size_t>(n));
  }
}

// Runs one child on `db` and kills it after `delay_ms`; returns what it announced.
// `committed`: what the file held when this child started (it resumes from there).
// `aim`: `hold` exists while the child starts, so its background training waits before
// writing; the kill comes once the child reports that training's lock row (or after 5 s),
// either at once or `after_release_ms` after the hold file is removed (-1: not removed).
Progress run_and_kill(const std::string& db, const Options& o, int delay_ms, int64_t committed, bool aim,
                      const std::string& hold, int after_release_ms, bool* killed) {
  if (aim) std::fclose(std::fopen(hold.c_str(), "w"));
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    // A fresh program, not a forked copy: the parent has loaded the extension, and the
    // OpenMP and OpenBLAS runtimes are not promised to work in a child after fork().
    close(fds[0]);
    // One OpenMP/BLAS thread: on a small shared machine their threads oversubscribe the
    // cores and k-means at a few thousand examples took 50x longer, so most kills landed in
    // 'optimize'; with one thread the kills spread over the whole workload.
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("ICCACHE_TRAINING_HOLD", hold.c_str(), 1);
    const std::string fd = std::to_string(fds[1]);
    execl("/proc/self/exe", "iccache_crash_test", "--child", db.c_str(), o.ext.c_str(), fd.c_str(),
          static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  close(fds[1]);
  Progress p;
  p.pid = pid;
  p.started = p.acked = committed;
  if (aim) {
    const auto give_up = Clock::now() + std::chrono::seconds(5);
    while (!p.held && Clock::now() < give_up) drain(fds[0], p, Clock::now() + std::chrono::milliseconds(50));
    if (after_release_ms >= 0) {
      std::remove(hold.c_str());
      std::this_thread::sleep_for(std::chrono::milliseconds(after_release_ms));
    }
  } else {
    const auto deadline = Clock::now() + std::chrono::milliseconds(delay_ms);
    drain(fds[0], p, deadline);  // early only if the child died by itself (closed the pipe)
    if (Clock::now() < deadline) std::this_thread::sleep_until(deadline);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  std::remove(hold.c_str());
  drain(fds[0], p, Clock::now());
  close(fds[0]);
  *killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!*killed)
    throw std::runtime_error("the child ended by itself (status " + std::to_string(status) + ") before the kill");
  return p;
}

// Whether the file holds the lock row of process `pid`: it was killed inside a background
// training (between taking the lock row and committing the training).
bool killed_in_training(const std::string& db, const std::string& ext, pid_t pid) {
  Conn c(db, ext);
  return c.integer("SELECT count(*) FROM ex_state WHERE key = 'training_pid' AND value = " + std::to_string(pid)) > 0;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--kills") o.kills = std::stoi(v);
    else if (a == "--seed") o.seed = std::stoull(v);
    else if (a == "--max-delay-ms") o.max_delay_ms = std::stoi(v);
    else if (a == "--dir") o.dir = v;
    else if (a == "--ext") o.ext = v;
    else throw std::runtime_error("unknown argument " + a);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--child") run_crash_child(argv[2], argv[3], std::stoi(argv[4]));
  try {
    Options o = parse(argc, argv);
    std::string dir = o.dir;
    if (dir.empty()) {
      char tmpl[] = "/tmp/iccache_crash_XXXXXX";
      if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
      dir = tmpl;
    }
    const std::string dbs[2] = {dir + "/wal.db", dir + "/journal.db"};
    for (int i = 0; i < 2; ++i) {
      for (const char* s : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(dbs[i] + s);
      Conn c(dbs[i], o.ext);
      c.exec(i == 0 ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE");
      c.exec(create_sql(/*sq8=*/i == 1));
    }
    std::mt19937_64 rng(o.seed);
    int64_t in_txn = 0, in_training = 0, in_background = 0, aimed = 0, committed_total = 0, half_written = 0;
    const std::string hold = dir + "/training.hold";
    int64_t committed[2] = {0, 0};
    for (int k = 0; k < o.kills; ++k) {
      const std::string& db = dbs[k % 2];
      const int delay = static_cast<int>(rng() % static_cast<uint64_t>(o.max_delay_ms + 1));
      const bool aim = k % 4 >= 2;  // kills 3, 4, 7, 8, ...: on both files, once they have grown
      const int after_release = rng() % 2 ? -1 : static_cast<int>(rng() % 20);
      bool killed = false;
      Progress p = run_and_kill(db, o, delay, committed[k % 2], aim, hold, after_release, &killed);
      aimed += aim;
      CrashVerdict v;
      bool background = false;
      try {
        background = killed_in_training(db, o.ext, p.pid);
        v = verify_after_crash(db, o.ext, p.acked, p.started, rng());
      } catch (const std::exception& e) {
        std::printf("kill %d/%d (%s, after %d ms): FAILED: %s\n", k + 1, o.kills, k % 2 ? "journal" : "wal", delay, e.what());
        std::printf("the file is kept in %s\n", dir.c_str());
        return 1;
      }
      committed[k % 2] = v.committed;
      const bool mid = p.started > p.acked;
      in_txn += mid;
      in_training += p.training;
      in_background += background;
      half_written += v.stale_rows > 0;
      std::printf("kill %d/%d (%s, after %3d ms): acked %lld, began %lld, found %lld committed, %lld examples%s%s%s\n",
                  k + 1, o.kills, k % 2 ? "journal" : "wal", delay, static_cast<long long>(p.acked),
                  static_cast<long long>(p.started), static_cast<long long>(v.committed),
                  static_cast<long long>(v.examples),
                  p.training ? " (killed inside 'optimize')" : mid ? " (killed inside a transaction)" : "",
                  background ? (aim ? " (aimed: killed inside a background training)"
                                    : " (killed inside a background training)")
                             : aim ? " (aimed at a background training, landed outside it)" : "",
                  v.stale_rows > 0 ? (" (" + std::to_string(v.stale_rows) +
                                      " rows of a half-written training ignored in the table not in use)").c_str()
                                   : "");
    }
    committed_total = committed[0] + committed[1];
    std::printf("crash test: %d kills survived (%lld inside a transaction, %lld of them inside 'optimize'; "
                "%lld inside a background training, %lld kills aimed at one; %lld left a half-written rows table), "
                "%lld transactions committed\n",
                o.kills, static_cast<long long>(in_txn), static_cast<long long>(in_training),
                static_cast<long long>(in_background), static_cast<long long>(aimed),
                static_cast<long long>(half_written), static_cast<long long>(committed_total));
    if (aimed > 0 && in_background == 0) {
      std::printf("crash test: FAILED: no kill landed inside a background training\n");
      return 1;
    }
    if (o.dir.empty()) std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::printf("crash test: FAILED: %s\n", e.what());
    return 1;
  }
}
