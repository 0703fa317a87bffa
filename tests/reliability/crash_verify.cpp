#include "crash_verify.h"

#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "conn.h"
#include "crash_workload.h"
#include "embed/hash_embedder.h"

namespace iccache_rel {

namespace {

void expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

std::string str(int64_t v) { return std::to_string(v); }

// The ids of a shadow table, which must be exactly the expected examples.
void expect_ids(Conn& c, const std::string& table, const std::vector<ExpectedExample>& want) {
  std::vector<Row> rows = c.query("SELECT id FROM " + table + " ORDER BY id");
  expect(rows.size() == want.size(), table + " holds " + str(rows.size()) + " rows; expected " + str(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    expect(std::stoll(rows[i][0]) == want[i].id,
           table + " row " + str(i) + " is example " + rows[i][0] + "; expected " + str(want[i].id));
}

}  // namespace

CrashVerdict verify_after_crash(const std::string& db_path, const std::string& ext_path,
                                int64_t acked, int64_t started, uint64_t probe_seed) {
  Conn c(db_path, ext_path);
  expect(c.scalar("PRAGMA integrity_check") == "ok", "PRAGMA integrity_check failed");
  CrashVerdict v;
  v.committed = c.integer("SELECT coalesce(max(txn), 0) FROM progress");
  expect(c.integer("SELECT count(*) FROM progress") == v.committed, "progress has gaps");
  // Durability: every acknowledged commit is there. Atomicity: nothing past the last begun.
  expect(v.committed >= acked, "transaction " + str(acked) + " was acknowledged but the file ends at " + str(v.committed));
  expect(v.committed <= started, "the file holds transaction " + str(v.committed) + " but only " + str(started) + " began");
  c.exec("INSERT INTO ex(ex) VALUES('integrity-check')");

  const std::vector<ExpectedExample> want = expected_examples(v.committed);
  v.examples = static_cast<int64_t>(want.size());
  // The IVF rows table in use (ext/index/index_store.h); the other one may hold the rows
  // of a training killed while writing them, which nothing reads.
  const std::string index_rows =
      c.scalar("SELECT coalesce((SELECT value FROM ex_state WHERE key = 'index_slot'), 0)") == "1" ? "ex_index_alt"
                                                                                                   : "ex_index";
  for (const std::string& t : {std::string("ex_data"), std::string("ex_vectors"), index_rows}) expect_ids(c, t, want);
  v.stale_rows = c.integer(std::string("SELECT count(*) FROM ") + (index_rows == "ex_index" ? "ex_index_alt" : "ex_index"));

  std::vector<Row> rows = c.query("SELECT rowid, request, response, model, tenant, uses FROM ex ORDER BY rowid");
  std::vector<Row> vecs = c.query("SELECT id, vector FROM ex_vectors ORDER BY id");
  iccache::HashEmbedder embedder(kDim);
  for (size_t i = 0; i < want.size(); ++i) {
    const ExpectedExample& w = want[i];
    const Row& r = rows[i];
    const std::string ex = "example " + str(w.id);
    expect(r[1] == w.request, ex + " has the wrong request");
    expect(r[2] == w.response, ex + " has response '" + r[2] + "'; expected '" + w.response + "'");
    expect(r[3] == w.model && r[4] == w.tenant, ex + " has the wrong model or tenant");
    expect(std::stoll(r[5]) == w.uses, ex + " has uses " + r[5] + "; expected " + str(w.uses));
    std::vector<float> e = embedder.embed(w.request);
    expect(vecs[i][1].size() == e.size() * sizeof(float) &&
               std::memcmp(vecs[i][1].data(), e.data(), vecs[i][1].size()) == 0,
           ex + " has a vector that is not its request's embedding");
  }

  // Routing and feedback: one decision with one reward per committed transaction.
  expect(c.integer("SELECT count(*) FROM ex_decisions") == v.committed, "ex_decisions count differs from the committed transactions");
  expect(c.integer("SELECT count(reward) FROM ex_decisions") == v.committed, "rewards count differs from the committed transactions");
  expect(c.integer("SELECT coalesce(sum(n), 0) FROM ex_router") == v.committed, "router arms count other than one reward per transaction");

  // Selection answers from the recovered file: a MATCH loads the index from the lists and
  // may return only committed examples, whole; integrity-check then also compares the
  // loaded index with the list rows (every example in its list, nothing else).
  std::map<int64_t, const ExpectedExample*> by_id;
  for (const ExpectedExample& w : want) by_id[w.id] = &w;
  std::mt19937_64 rng(probe_seed);
  for (int probe = 0; probe < 3 && !want.empty(); ++probe) {
    const ExpectedExample& w = want[rng() % want.size()];
    for (const Row& h : c.query("SELECT rowid, request, response FROM ex WHERE ex MATCH ?1 AND k = 5 AND nprobe = 4096",
                                {w.request})) {
      auto it = by_id.find(std::stoll(h[0]));
      expect(it != by_id.end(), "MATCH returned example " + h[0] + ", which was never committed or was deleted");
      expect(h[1] == it->second->request && h[2] == it->second->response, "MATCH returned example " + h[0] + " with the wrong texts");
    }
  }
  // The IVF too: a vector MATCH loads it from the lists (after a kill inside a background
  // training: the previous training's, or the new one when its transaction committed), and
  // the integrity-check below compares it with the list rows. Utility selection may return
  // none of the candidates (its learned threshold); what it returns must be committed.
  for (int probe = 0; probe < 3 && !want.empty(); ++probe) {
    const ExpectedExample& w = want[rng() % want.size()];
    for (const Row& h : c.query("SELECT rowid FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = " +
                                str(w.id) + ") AND k = 5 AND nprobe = 4096"))
      expect(by_id.count(std::stoll(h[0])) != 0,
             "a vector MATCH returned example " + h[0] + ", which was never committed or was deleted");
  }
  // Only when a probe ran: a kill before the first commit leaves no example to probe with.
  if (!want.empty())
    expect(c.scalar("SELECT value FROM ex_stats WHERE key = 'index_loaded'") == "1", "a vector MATCH left the IVF unloaded");
  // A lock row the killed process left is not a live holder (the next training takes it over).
  expect(c.scalar("SELECT value FROM ex_stats WHERE key = 'training_lock_pid'") == "0",
         "a killed process's training lock row reads as a live holder");
  c.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  return v;
}

}  // namespace iccache_rel
