// Two processes on one WAL file: a writer inserts examples (deleting every fourth one it
// inserted two steps earlier, in the same transaction), runs 'optimize' now and then, and
// feeds back rewards for the decisions the reader made; a reader selects (MATCH) and
// routes. Both use a busy timeout and the documented multi-process recipe (writes inside
// BEGIN IMMEDIATE), so no operation may fail. Checked:
//  - every row the reader's MATCH returns is whole (request, response and vector agree
//    with its id) and not deleted in the reader's snapshot;
//  - at the end the counts are exact: examples, decisions, rewards, router updates.
//
//   iccache_two_process_test [--ops N] [--dir D] [--ext PATH]
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

int writer(const std::string& db, const std::string& ext, int ops) {
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
  // The reader's last decisions: wait for it to finish, then answer all of them.
  for (int waited = 0; c.integer("SELECT count(*) FROM flags WHERE name = 'reader_done'") == 0; ++waited) {
    if (waited > 60000) throw std::runtime_error("the reader did not finish within two minutes");
    usleep(2000);
  }
  while (int n = feed_back(c, rng, 64)) feedbacks += n;
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

int reader(const std::string& db, const std::string& ext, int ops) {
  Conn c(db, ext);
  iccache::HashEmbedder emb(kDim);
  std::mt19937_64 rng(12);
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
pid_t spawn(const char* role, const std::string& db, const std::string& ext, int ops) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  const std::string n = std::to_string(ops);
  execl("/proc/self/exe", "iccache_two_process_test", role, db.c_str(), ext.c_str(), n.c_str(),
        static_cast<char*>(nullptr));
  std::_Exit(127);
}

// The child side: runs the writer or the reader; exit status 0 when every operation passed.
int child(const std::string& role, const std::string& db, const std::string& ext, int ops) {
  try {
    return role == "--writer" ? writer(db, ext, ops) : reader(db, ext, ops);
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
  if (argc == 5 && (std::string(argv[1]) == "--writer" || std::string(argv[1]) == "--reader"))
    return child(argv[1], argv[2], argv[3], std::stoi(argv[4]));
  int ops = 300;
  std::string dir, ext = ICCACHE_EXT_PATH;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--ops") ops = std::stoi(argv[i + 1]);
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
    pid_t w = spawn("--writer", db, ext, ops);
    pid_t r = spawn("--reader", db, ext, ops);
    // When one side fails, the other is stopped rather than left waiting for it.
    int ws = 0, rs = 0;
    int status = 0;
    const pid_t first = waitpid(-1, &status, 0);
    const pid_t other = first == w ? r : w;
    (first == w ? ws : rs) = status;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) kill(other, SIGKILL);
    waitpid(other, other == w ? &ws : &rs, 0);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) throw std::runtime_error("the writer failed (status " + std::to_string(ws) + ")");
    if (!WIFEXITED(rs) || WEXITSTATUS(rs) != 0) throw std::runtime_error("the reader failed (status " + std::to_string(rs) + ")");

    Conn c(db, ext);
    if (c.scalar("PRAGMA integrity_check") != "ok") throw std::runtime_error("PRAGMA integrity_check failed");
    c.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
    expect_eq(c.integer("SELECT count(*) FROM ex"), kSeed + ops - deletions(ops), "examples");
    expect_eq(c.integer("SELECT count(*) FROM ex_decisions"), ops, "decisions");
    expect_eq(c.integer("SELECT count(reward) FROM ex_decisions"), ops, "decisions with a reward");
    expect_eq(c.integer("SELECT coalesce(sum(n), 0) FROM ex_router"), ops, "rewards counted by the router arms");
    expect_eq(c.integer("SELECT count(*) FROM pending"), 0, "decisions left without feedback");
    expect_eq(c.integer("SELECT value FROM ex_stats WHERE key = 'decisions'"), ops, "ex_stats decisions");
    std::printf("two-process test: %d writer steps + %d reader steps, %d decisions with feedback, %lld examples: ok\n",
                ops, ops, ops, static_cast<long long>(kSeed + ops - deletions(ops)));
    std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::printf("two-process test: FAILED: %s\n", e.what());
    return 1;
  }
}
