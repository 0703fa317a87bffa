// Command inserts and function arguments on a small table with a routed decision (not
// trained: 'optimize' from the input trains it, keeping each run fast): the input is split on NUL bytes into up to four strings, used as
//   INSERT INTO ex(ex) VALUES(s0)                         (commands: optimize, nprobe=N, ...)
//   SELECT iccache_evict('ex', s1)                        (sizes)
//   SELECT * FROM iccache_route('ex', s2, s3)             (request text or vector, ids JSON)
//   SELECT iccache_example_feedback('ex', s3, 'small', 0.5)
// Errors are the expected answer; afterwards the table must pass integrity-check.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_sql.h"

using iccache_fuzz::FuzzDb;
using iccache_fuzz::Value;

namespace {
Value text(const std::string& s) {
  Value v;
  v.kind = Value::kText;
  v.s = s;
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < size && parts.size() <= 4; ++i) {
    if (data[i] == 0) parts.emplace_back();
    else parts.back() += static_cast<char>(data[i]);
  }
  parts.resize(4);
  FuzzDb db;
  db.run("CREATE VIRTUAL TABLE ex USING iccache(dim=4, ivf_min=1000, seed=1, budget='64KB')");
  for (int i = 0; i < 8; ++i)
    db.run("INSERT INTO ex(request, response, tenant) VALUES(?1, 'answer', ?2)",
           {text("question number " + std::to_string(i * 7)), text(i % 2 ? "a" : "b")});
  db.run("SELECT decision FROM iccache_route('ex', 'question number 7', '[1,2]')");
  db.run("INSERT INTO ex(ex) VALUES(?1)", {text(parts[0])});
  db.run("SELECT iccache_evict('ex', ?1)", {text(parts[1])});
  db.run("SELECT * FROM iccache_route('ex', ?1, ?2)", {text(parts[2]), text(parts[3])});
  db.run("SELECT iccache_example_feedback('ex', ?1, 'small', 0.5)", {text(parts[3])});
  db.run("SELECT rowid, similarity FROM ex WHERE ex MATCH 'question' AND k = 3");
  db.check_integrity("ex");
  return 0;
}
