// Two processes on one WAL file: a writer inserts examples (deleting every fourth one it
// inserted two steps earlier, in the same transaction), runs 'optimize' now and then, and
// feeds back rewards for the decisions the reader made; a reader selects (MATCH) and
// routes. Both use a busy timeout and the documented multi-process recipe (writes inside
// BEGIN IMMEDIATE), so no operation may fail. Checked:
//  - every row the reader's MATCH returns is whole (request, response and vector agree
//    with its id) and not deleted in the reader's snapshot;
//  - at the end the counts are exact: examples, decisions, rewards, router updates.
// With --readers 2 it is the three-process test: one writer and two readers, each reader
// process with its own shared index following the writer's changes (and the writer's
// background trainings, ivf_min=200) from the change log.
//
//   iccache_two_process_test [--ops N] [--readers R] [--dir D] [--ext PATH]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "conn.h"
#include "embed/hash_embedder.h"

using namespace iccache_rel;

namespace {

constexpr int kDim = 32;
constexpr int64_t kFirstId = 1000;  // the writer's ids; seed examples are 1..kSeed
constexpr int kSeed = 20;
constexpr int kOptimizeEvery = 100;
constexpr int kFeedbackBatch = 4;

std::string request_of(int64_t id) {
  return "request " + std::to_string(id) + ": how far is " + std::to_string(id % 17) + " from " +
         std::to_string(id % 5) + " on the number line?";
}
std::string response_of(int64_t id) { return "response " + std::to_string(id); }
// Writer step i inserts kFirstId + i; steps with i % 4 == 3 also delete kFirstId + i - 2.
bool deletes(int64_t i) { return i % 4 == 3; }
int64_t deletions(int64_t steps) { return steps / 4; }

void insert(Conn& c, int64_t id) {
  c.query("INSERT INTO ex(rowid, request, response) VALUES(" + std::to_string(id) + ", ?1, ?2)",
          {request_of(id), response_of(id)});
}

// Feeds back up to `limit` pending decisions; returns how many.
int feed_back(Conn& c, std::mt19937_64& rng, int limit) {
  c.exec("BEGIN IMMEDIATE");
  std::vector<Row> pending = c.query("SELECT decision FROM pending ORDER BY decision LIMIT " + std::to_string(limit));
  for (const Row& r : pending) {
    c.exec("SELECT iccache_feedback('ex', " + r[0] + ", " + std::to_string((rng() % 11) / 10.0) + ")");
    c.exec("DELETE FROM pending WHERE decision = " + r[0]);
  }
  c.exec("COMMIT");
  return static_cast<int>(pending.size());
}

int writer(const std::string& db, const std::string& ext, int ops, int readers) {
  Conn c(db, ext);
  std::mt19937_64 rng(11);
  int64_t feedbacks = 0;
  for (int64_t i = 0; i < ops; ++i) {
    c.exec("BEGIN IMMEDIATE");
    insert(c, kFirstId + i);
    if (deletes(i)) c.exec("DELETE FROM ex WHERE rowid = " + std::to_string(kFirstId + i - 2));
    if (i % kOptimizeEvery == kOptimizeEvery / 2) c.exec("INSERT INTO ex(ex) VALUES('optimize')");
    c.exec("COMMIT");
    feedbacks += feed_back(c, rng, kFeedbackBatch);
  }
  // The readers' last decisions: wait for them to finish, then answer all of them.
  for (int waited = 0; c.integer("SELECT count(*) FROM flags WHERE name = 'reader_done'") < readers; ++waited) {
    if (waited > 60000) throw std::runtime_error("the readers did not finish within two minutes");
    usleep(2000);
  }
  while (int n = feed_back(c, rng, 64)) feedbacks += n;
  // A training the inserts queued runs on this process's background thread: let it finish
  // before the process exits.
  c.scalar("SELECT iccache_training_wait('ex')");
  std::printf("writer: %d inserts, %lld deletes, %lld feedbacks\n", ops,
              static_cast<long long>(deletions(ops)), static_cast<long long>(feedbacks));
  return 0;
}

// One MATCH in its own read transaction; every row must be whole and not yet deleted.
void checked_match(Conn& c, iccache::HashEmbedder& emb, int64_t probe) {
  c.exec("BEGIN");
  std::vector<Row> hits = c.query("SELECT rowid, request, response, embedding FROM ex WHERE ex MATCH ?1 AND k = 4",
                                  {request_of(probe)});
  const int64_t newest = c.integer("SELECT max(rowid) FROM ex");
  c.exec("COMMIT");
  for (const Row& h : hits) {
    const int64_t id = std::stoll(h[0]);
    if (h[1] != request_of(id) || h[2] != response_of(id))
      throw std::runtime_error("MATCH returned example " + h[0] + " with another example's text");
    std::vector<float> v = emb.embed(request_of(id));
    if (h[3].size() != v.size() * sizeof(float) || std::memcmp(h[3].data(), v.data(), h[3].size()) != 0)
      throw std::runtime_error("MATCH returned example " + h[0] + " with another vector");
    // Example kFirstId + s (s % 4 == 1) is deleted by the step that inserts kFirstId + s + 2.
    if (id >= kFirstId && (id - kFirstId) % 4 == 1 && id + 2 <= newest)
      throw std::runtime_error("MATCH returned example " + h[0] + ", deleted in its snapshot");
  }
}

int reader(const std::string& db, const std::string& ext, int ops, int index) {
  Conn c(db, ext);
  iccache::HashEmbedder emb(kDim);
  std::mt19937_64 rng(12 + index);
  int64_t routes = 0;
  for (int i = 0; i < ops; ++i) {
    const int64_t newest = c.integer("SELECT max(rowid) FROM ex");
    const int64_t probe = newest >= kFirstId ? kFirstId + static_cast<int64_t>(rng() % (newest - kFirstId + 1))
                                            : 1 + static_cast<int64_t>(rng() % kSeed);
    checked_match(c, emb, probe);
    // Routing writes (decision log, load): select the examples and route in one write
    // transaction, so the ids shown still exist when the decision is logged.
    c.exec("BEGIN IMMEDIATE");
    std::vector<Row> ids = c.query("SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 2", {request_of(probe)});
    std::string json = "[";
    for (size_t j = 0; j < ids.size(); ++j) json += (j ? "," : "") + ids[j][0];
    json += "]";
    const std::string d = c.scalar("SELECT decision FROM iccache_route('ex', ?1, ?2)", {request_of(probe), json});
    c.exec("INSERT INTO pending(decision) VALUES(" + d + ")");
    c.exec("COMMIT");
    ++routes;
  }
  c.exec("INSERT INTO flags(name) VALUES('reader_done')");
  std::printf("reader: %d checked selections, %lld routes\n", ops, static_cast<long long>(routes));
  return 0;
}

// Starts this program again as `role` (a fresh process, not a forked copy: the OpenMP and
// OpenBLAS runtimes the extension brings are not promised to work after fork()).
pid_t spawn(const char* role, const std::string& db, const std::string& ext, int ops, int arg) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  const std::string n = std::to_string(ops), a = std::to_string(arg);
  execl("/proc/self/exe", "iccache_two_process_test", role, db.c_str(), ext.c_str(), n.c_str(), a.c_str(),
        static_cast<char*>(nullptr));
  std::_Exit(127);
}

// The child side: runs the writer or the reader; exit status 0 when every operation passed.
// `arg`: the number of readers for the writer, the reader's index for a reader.
int child(const std::string& role, const std::string& db, const std::string& ext, int ops, int arg) {
  try {
    return role == "--writer" ? writer(db, ext, ops, arg) : reader(db, ext, ops, arg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAILED in the %s: %s\n", role.c_str() + 2, e.what());
    return 1;
  }
}

void expect_eq(int64_t got, int64_t want, const std::string& what) {
  if (got != want)
    throw std::runtime_error(what + ": " + std::to_string(got) + "; expected " + std::to_string(want));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && (std::string(argv[1]) == "--writer" || std::string(argv[1]) == "--reader"))
    return child(argv[1], argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]));
  int ops = 300, readers = 1;
  std::string dir, ext = ICCACHE_EXT_PATH;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--ops") ops = std::stoi(argv[i + 1]);
    else if (a == "--readers") readers = std::stoi(argv[i + 1]);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--ext") ext = argv[i + 1];
    else { std::fprintf(stderr, "unknown argument %s\n", a.c_str()); return 2; }
  }
  try {
    if (dir.empty()) {
      char tmpl[] = "/tmp/iccache_two_XXXXXX";
      if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
      dir = tmpl;
    }
    const std::string db = dir + "/two.db";
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(db + s);
    {
      Conn c(db, ext);
      c.exec("PRAGMA journal_mode=WAL");
      c.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(kDim) + ", ivf_min=200, seed=3)");
      c.exec("CREATE TABLE pending(decision INTEGER PRIMARY KEY); CREATE TABLE flags(name TEXT)");
      c.exec("BEGIN");
      for (int64_t id = 1; id <= kSeed; ++id) insert(c, id);
      c.exec("COMMIT");
    }  // closed before fork: a connection must never cross a fork
    std::fflush(stdout);
    std::vector<pid_t> pids{spawn("--writer", db, ext, ops, readers)};
    for (int i = 0; i < readers; ++i) pids.push_back(spawn("--reader", db, ext, ops, i));
    // When one process fails, the others are stopped rather than left waiting for it.
    std::string failed;
    for (size_t left = pids.size(); left > 0; --left) {
      int status = 0;
      const pid_t done = waitpid(-1, &status, 0);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
      if (failed.empty()) {
        failed = std::string(done == pids[0] ? "the writer" : "a reader") + " failed (status " +
                 std::to_string(status) + ")";
        for (pid_t p : pids)
          if (p != done) kill(p, SIGKILL);
      }
    }
    if (!failed.empty()) throw std::runtime_error(failed);

    Conn c(db, ext);
    if (c.scalar("PRAGMA integrity_check") != "ok") throw std::runtime_error("PRAGMA integrity_check failed");
    c.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
    expect_eq(c.integer("SELECT count(*) FROM ex"), kSeed + ops - deletions(ops), "examples");
    const int decisions = ops * readers;
    expect_eq(c.integer("SELECT count(*) FROM ex_decisions"), decisions, "decisions");
    expect_eq(c.integer("SELECT count(reward) FROM ex_decisions"), decisions, "decisions with a reward");
    expect_eq(c.integer("SELECT coalesce(sum(n), 0) FROM ex_router"), decisions, "rewards counted by the router arms");
    expect_eq(c.integer("SELECT count(*) FROM pending"), 0, "decisions left without feedback");
    expect_eq(c.integer("SELECT value FROM ex_stats WHERE key = 'decisions'"), decisions, "ex_stats decisions");
    std::printf("%d-process test: %d writer steps + %d x %d reader steps, %d decisions with feedback, %lld examples: ok\n",
                readers + 1, ops, readers, ops, decisions, static_cast<long long>(kSeed + ops - deletions(ops)));
    std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::printf("two-process test: FAILED: %s\n", e.what());
    return 1;
  }
}
