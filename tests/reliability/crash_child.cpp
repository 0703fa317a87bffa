#include "crash_child.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "conn.h"
#include "crash_workload.h"

namespace iccache_rel {

namespace {

void say(int fd, char what, int64_t t) {
  std::string line = std::string(1, what) + " " + std::to_string(t) + "\n";
  // One write per line, so the parent never sees half a line from a killed child.
  if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

void insert_example(Conn& c, int64_t t, int j) {
  c.query("INSERT INTO ex(rowid, request, response, model, quality, tenant) VALUES(" +
              std::to_string(example_id(t, j)) + ", ?1, ?2, ?3, " + std::to_string(quality_of(t, j)) + ", ?4)",
          {request_text(t, j), response_text(t, j), model_of(j), tenant_of(j)});
}

// Work that is always rolled back: none of it may ever be found.
void doomed_transaction(Conn& c, int64_t t) {
  c.exec("BEGIN");
  c.exec("INSERT INTO ex(rowid, request, response) VALUES(" + std::to_string(example_id(t, 9)) +
         ", 'doomed request', 'doomed')");
  c.exec("DELETE FROM ex WHERE rowid = " + std::to_string(example_id(t - 1, 0)));
  c.exec("ROLLBACK");
}

void transaction(Conn& c, int64_t t, int fd) {
  c.exec("BEGIN IMMEDIATE");
  for (int j = 0; j < kPerTxn; ++j) insert_example(c, t, j);
  if (t > 3) c.exec("DELETE FROM ex WHERE rowid = " + std::to_string(example_id(t - 3, 1)));
  if (t % 2 == 0)
    c.query("UPDATE ex SET response = ?1 WHERE rowid = " + std::to_string(example_id(t - 1, 2)),
            {revised_response(t)});
  const std::string ids = "[" + std::to_string(example_id(t, 0)) + "," + std::to_string(example_id(t, 3)) + "]";
  const std::string decision =
      c.scalar("SELECT decision FROM iccache_route('ex', ?1, ?2)", {request_text(t, 0), ids});
  c.exec("SELECT iccache_feedback('ex', " + decision + ", " + (t % 3 ? "0.9" : "0.2") + ")");
  if (t % kOptimizeEvery == 0) {
    say(fd, 'O', t);  // so the parent can count kills that land inside training
    c.exec("INSERT INTO ex(ex) VALUES('optimize')");
    say(fd, 'T', t);
  }
  if (t % kBackgroundEvery == 0) c.exec("INSERT INTO ex(ex) VALUES('optimize-background')");
  c.exec("INSERT INTO progress(txn) VALUES(" + std::to_string(t) + ")");
  c.exec("COMMIT");
}

// An aimed run: the parent created the hold file (ICCACHE_TRAINING_HOLD) before starting
// this child and kills it once its background training holds the lock row.
bool aimed() {
  const char* hold = std::getenv("ICCACHE_TRAINING_HOLD");
  return hold && *hold && access(hold, F_OK) == 0;
}

}  // namespace

void run_crash_child(const std::string& db_path, const std::string& ext_path, int fd) {
  try {
    Conn c(db_path, ext_path);
    int64_t t = c.integer("SELECT coalesce(max(txn), 0) FROM progress");
    const std::string pid = std::to_string(getpid());
    for (;;) {
      ++t;
      if (t % kDoomedEvery == 0) doomed_transaction(c, t);
      say(fd, 'B', t);
      transaction(c, t, fd);
      say(fd, 'C', t);
      // This process's background training holds the lock row (it is past its start).
      const std::string holds = "SELECT count(*) FROM ex_state WHERE key = 'training_pid' AND value = " + pid;
      bool held = c.integer(holds) > 0;
      // Aimed: after queueing a training, pause (up to 3 s) so its connection gets the write
      // lock it takes the lock row with; back-to-back transactions starved its busy handler
      // for seconds under ASan, and the aimed kills then all landed outside a training.
      for (int i = 0; !held && i < 150 && t % kBackgroundEvery == 0 && aimed(); ++i) {
        usleep(20000);
        held = c.integer(holds) > 0;
      }
      if (held) say(fd, 'R', t);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash child: %s\n", e.what());
    std::_Exit(2);
  }
}

}  // namespace iccache_rel
