// Random SQL operations against one iccache table, the way serving code and an operator
// would issue them: inserts (text, vectors as BLOB or JSON, bad values), updates, deletes,
// MATCH with k/tenant/nprobe, commands, transactions and savepoints with rollbacks, routing,
// feedback, eviction, replay and stats. Any statement may fail (bad input), but the
// extension may never report corruption of what it wrote itself, and the table must pass
// integrity-check (plus PRAGMA integrity_check) at the end. The first byte picks one of
// three table configurations.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_sql.h"

using iccache_fuzz::FuzzDb;
using iccache_fuzz::Value;

namespace {

const char* const kTables[] = {
    "CREATE VIRTUAL TABLE ex USING iccache(dim=4, ivf_min=8, seed=1)",
    "CREATE VIRTUAL TABLE ex USING iccache(dim=3, embedder='none', quantizer='sq8', ivf_min=6, budget='3KB', seed=2)",
    "CREATE VIRTUAL TABLE ex USING iccache(dim=8, cache_arm=on, bandit='linucb', models='a:0,b:0.5,c:2', ivf_min=12)",
};

Value null() { return Value{}; }
Value integer(long long i) { Value v; v.kind = Value::kInt; v.i = i; return v; }
Value real(double r) { Value v; v.kind = Value::kReal; v.r = r; return v; }
Value text(std::string s) { Value v; v.kind = Value::kText; v.s = std::move(s); return v; }
Value blob(std::string s) { Value v; v.kind = Value::kBlob; v.s = std::move(s); return v; }


// Any value, biased towards the useful ones.
Value any_value(FuzzedDataProvider& p) {
  switch (p.ConsumeIntegralInRange(0, 5)) {
    case 0: return null();
    case 1: return integer(p.ConsumeIntegralInRange<long long>(-3, 40));
    case 2: return real(p.ConsumeFloatingPoint<double>());
    case 3: return blob(p.ConsumeRandomLengthString(64));
    default: return text(p.ConsumeRandomLengthString(48));
  }
}

Value vector_value(FuzzedDataProvider& p, int dim) {
  switch (p.ConsumeIntegralInRange(0, 3)) {
    case 0: return null();
    case 1: {
      std::string b(4 * dim, '\0');
      for (auto& c : b) c = static_cast<char>(p.ConsumeIntegral<uint8_t>());
      return blob(b);
    }
    case 2: {
      std::string j = "[";
      for (int i = 0; i < dim; ++i) j += (i ? "," : "") + std::to_string(p.ConsumeIntegralInRange(-9, 9));
      return text(j + "]");
    }
    default: return any_value(p);
  }
}

Value rowid(FuzzedDataProvider& p) { return integer(p.ConsumeIntegralInRange<long long>(0, 24)); }

Value model(FuzzedDataProvider& p) {
  const char* const names[] = {"small", "large", "a", "b", "c", "gpt"};
  if (p.ConsumeBool()) return null();
  return text(names[p.ConsumeIntegralInRange(0, 5)]);
}

Value tenant(FuzzedDataProvider& p) {
  const char* const names[] = {"", "t1", "t2"};
  return p.ConsumeBool() ? text(names[p.ConsumeIntegralInRange(0, 2)]) : any_value(p);
}

std::string ids_json(FuzzedDataProvider& p) {
  std::string j = "[";
  const int n = p.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < n; ++i) j += (i ? "," : "") + std::to_string(p.ConsumeIntegralInRange(0, 24));
  return p.ConsumeBool() ? j + "]" : p.ConsumeRandomLengthString(16);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const int config = p.ConsumeIntegralInRange(0, 2);
  const int dim = config == 0 ? 4 : config == 1 ? 3 : 8;
  FuzzDb db;
  db.run(kTables[config]);
  std::vector<std::string> decisions;
  for (int step = 0; step < 64 && p.remaining_bytes() > 0; ++step) {
    switch (p.ConsumeIntegralInRange(0, 15)) {
      case 0:
      case 1:
        db.run(std::string(p.ConsumeBool() ? "INSERT OR REPLACE" : "INSERT") +
                   " INTO ex(rowid, request, response, model, quality, tenant, embedding) VALUES(?,?,?,?,?,?,?)",
               {p.ConsumeBool() ? null() : rowid(p), text("q " + p.ConsumeRandomLengthString(40)),
                p.ConsumeBool() ? text(p.ConsumeRandomLengthString(300)) : any_value(p), model(p),
                p.ConsumeBool() ? real(p.ConsumeProbability<double>()) : any_value(p), tenant(p),
                vector_value(p, dim)});
        break;
      case 2: {
        const char* const sets[] = {"response = ?1", "request = ?1", "embedding = ?1", "rowid = ?1",
                                    "quality = ?1", "tenant = ?1", "model = ?1", "uses = ?1"};
        const int which = p.ConsumeIntegralInRange(0, 7);
        Value v = which == 2 ? vector_value(p, dim) : which == 6 ? model(p) : which == 3 ? rowid(p) : any_value(p);
        db.run(std::string("UPDATE ex SET ") + sets[which] + " WHERE rowid = ?2", {v, rowid(p)});
        break;
      }
      case 3:
        db.run(p.ConsumeBool() ? "DELETE FROM ex WHERE rowid = ?1" : "DELETE FROM ex WHERE rowid > ?1", {rowid(p)});
        break;
      case 4:
      case 5: {
        std::string sql = "SELECT rowid, request, response, similarity, embedding FROM ex WHERE ex MATCH ?1 AND k = ?2";
        std::vector<Value> v = {p.ConsumeBool() ? text(p.ConsumeRandomLengthString(32)) : vector_value(p, dim),
                                p.ConsumeBool() ? integer(p.ConsumeIntegralInRange(0, 30)) : any_value(p)};
        if (p.ConsumeBool()) sql += " AND tenant = ?3", v.push_back(tenant(p));
        if (p.ConsumeBool()) sql += " AND nprobe = ?" + std::to_string(v.size() + 1), v.push_back(integer(p.ConsumeIntegralInRange(0, 5)));
        db.run(sql, v);
        break;
      }
      case 6: {
        const char* const cmds[] = {"optimize", "integrity-check", "nprobe=2", "nprobe=0"};
        db.run("INSERT INTO ex(ex) VALUES(?1)",
               {text(p.ConsumeBool() ? cmds[p.ConsumeIntegralInRange(0, 3)] : p.ConsumeRandomLengthString(12))});
        break;
      }
      case 7: {
        const char* const tx[] = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s", "ROLLBACK TO s", "RELEASE s"};
        db.run(tx[p.ConsumeIntegralInRange(0, 5)]);
        break;
      }
      case 8:
        db.run("SELECT decision FROM iccache_route('ex', ?1, ?2)",
               {p.ConsumeBool() ? text(p.ConsumeRandomLengthString(32)) : vector_value(p, dim), text(ids_json(p))},
               &decisions);
        break;
      case 9: {
        Value d = decisions.empty() || p.ConsumeBool() ? any_value(p) : text(decisions[p.ConsumeIntegralInRange<size_t>(0, decisions.size() - 1)]);
        db.run("SELECT iccache_feedback('ex', ?1, ?2)", {d, p.ConsumeBool() ? real(p.ConsumeProbability<double>()) : any_value(p)});
        break;
      }
      case 10:
        db.run(p.ConsumeBool() ? "SELECT iccache_evict('ex')" : "SELECT iccache_evict('ex', ?1)",
               {p.ConsumeBool() ? text(std::to_string(p.ConsumeIntegralInRange(0, 4000))) : any_value(p)});
        break;
      case 11:
        db.run("SELECT * FROM ex_replay WHERE replay_cost = ?1 LIMIT 5", {any_value(p)});
        break;
      case 12:
        db.run(p.ConsumeBool() ? "SELECT * FROM ex_stats" : "SELECT * FROM ex ORDER BY rowid");
        break;
      case 13:
        db.run("SELECT iccache_example_feedback('ex', ?1, ?2, ?3)", {text(ids_json(p)), model(p), any_value(p)});
        break;
      case 14:
        db.run(p.ConsumeBool() ? "SELECT iccache_load('ex', ?1)" : "SELECT iccache_calibrate('ex', ?1)", {any_value(p)});
        break;
      default:
        db.run("SELECT rowid, request FROM ex WHERE rowid = ?1", {any_value(p)});
        break;
    }
  }
  db.run("COMMIT");  // an open transaction ends here; an error just means none was open
  db.check_integrity("ex");
  return 0;
}
