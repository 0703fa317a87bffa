// The serving loop of examples/serving_loop.py in C++, linking nothing but SQLite: it loads
// the iccache extension at run time and drives it with SQL, against the seeded simulated
// pair of models (sim_world.h). Same flags, same streams, so it prints the same summary as
//   /usr/bin/python3 examples/serving_loop.py --backend sim
// Build: part of the CMake build (build/examples/serving_loop_cpp), or by hand:
//   g++ -std=c++20 -O2 examples/serving_loop.cpp -lsqlite3 -o serving_loop
// Run from the repository root: build/examples/serving_loop_cpp [--extension build/iccache]
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "sim_world.h"

namespace {

struct Options {
  std::string db = ":memory:", extension = "build/iccache", data = "examples/data/gsm8k_sample.json";
  std::string budget;
  int requests = 400, warm = 100, distinct = 200, k = 5, max_chars = 8000, offpeak_every = 50;
  int replay_limit = 10;
  double qps = 2.0, feedback_rate = 1.0, replay_cost = 0.2, large_share = 0.3, cost_weight = 0;
  uint64_t seed = 7;
};

constexpr double kSimStart = 1767225600.0;  // 2026-01-01 00:00 UTC, as serving_loop.py

// Seconds since 1970 with sub-second precision, like Python's time.time() (the example
// manager's feedback times are on this clock).
double wall_clock() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A prepared statement that binds in order and throws with SQLite's message.
class Query {
 public:
  Query(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) fail(sql);
  }
  ~Query() { sqlite3_finalize(s_); }
  Query& text(const std::string& v) { sqlite3_bind_text(s_, ++n_, v.c_str(), -1, SQLITE_TRANSIENT); return *this; }
  Query& num(double v) { sqlite3_bind_double(s_, ++n_, v); return *this; }
  Query& integer(int64_t v) { sqlite3_bind_int64(s_, ++n_, v); return *this; }
  Query& null() { sqlite3_bind_null(s_, ++n_); return *this; }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(sqlite3_sql(s_));
    return rc == SQLITE_ROW;
  }
  std::string col(int i) const {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p ? std::string(p, sqlite3_column_bytes(s_, i)) : std::string();
  }
  int64_t col_int(int i) const { return sqlite3_column_int64(s_, i); }
  double col_num(int i) const { return sqlite3_column_double(s_, i); }
  bool col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " (in: " + what + ")");
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int n_ = 0;
};

std::vector<sim::Problem> load_problems(sqlite3* db, const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path + "; run from the repository root or pass --data");
  std::stringstream ss;
  ss << f.rdbuf();
  Query q(db, "SELECT json_extract(value, '$.question'), json_extract(value, '$.answer') FROM json_each(?)");
  q.text(ss.str());
  std::vector<sim::Problem> out;
  while (q.step()) out.push_back({q.col(0), q.col(1)});
  return out;
}

// The (request, response) turns of a chat messages array before its last user message.
std::vector<sim::Example> examples_of(sqlite3* db, const std::string& messages) {
  Query q(db, "SELECT json_extract(value, '$.role'), json_extract(value, '$.content') FROM json_each(?)");
  q.text(messages);
  std::vector<std::pair<std::string, std::string>> turns;
  while (q.step()) turns.push_back({q.col(0), q.col(1)});
  std::vector<sim::Example> out;
  for (size_t i = 0; i + 1 < turns.size(); i += 2)
    if (turns[i].first == "user" && turns[i + 1].first == "assistant") out.push_back({turns[i].second, turns[i + 1].second});
  return out;
}

struct Served {
  bool small = false;
  bool judged = false;
  double reward = 0;
};

struct Loop {
  sqlite3* db;
  sim::World& world;
  const Options& o;
  sim::Rng feedback_rng{sim::splitmix64(o.seed)};
  double threshold = -1;

  double load_threshold() {
    if (threshold < 0) {
      Query q(db, "SELECT value FROM iccache_stats('ex') WHERE key = 'load_threshold'");
      q.step();
      threshold = q.col_num(0);
    }
    return threshold;
  }

  Served serve(const std::string& request, double at) {
    Query p(db, "SELECT messages, prompt, example_ids FROM iccache_prompt('ex', ?, ?, ?)");
    p.text(request).integer(o.k).integer(o.max_chars).step();
    const std::string messages = p.col(0), ids = p.col(2);
    Query r(db, "SELECT decision, model, want_feedback, ifnull(shadow, ''), load FROM iccache_route('ex', ?, ?, ?)");
    r.text(request).text(ids).num(at).step();
    const int64_t decision = r.col_int(0);
    const std::string model = r.col(1);
    const bool want = r.col_int(2) != 0;
    const std::string shadow = r.col(3);
    const double load = r.col_num(4);
    Served s;
    s.small = model == sim::kSmall;
    const std::string answer = world.generate(model, request, s.small ? examples_of(db, messages) : std::vector<sim::Example>{});
    if (want || feedback_rng.uniform() < o.feedback_rate) {
      s.judged = true;
      s.reward = world.judge(request, answer);
      Query(db, "SELECT iccache_feedback('ex', ?, ?)").integer(decision).num(s.reward).step();
    }
    // The router was unsure and named a shadow arm: run it off the user's path when load
    // allows, and feed its reward back too (trains that arm on the same request).
    if (!shadow.empty() && load < load_threshold()) {
      const bool shadow_small = shadow == sim::kSmall;
      const std::string other = world.generate(shadow, request, shadow_small ? examples_of(db, messages) : std::vector<sim::Example>{});
      Query(db, "SELECT iccache_feedback('ex', ?, ?, ?)").integer(decision).num(world.judge(request, other)).text(shadow).step();
    }
    // Admit answers judged good, and unjudged large-model answers (quality not yet known).
    if (s.judged ? s.reward >= 0.5 : !s.small)
      Query(db, "INSERT INTO ex(request, response, model, quality) VALUES (?, ?, ?, ?)")
          .text(request).text(answer).text(model).num(s.judged ? s.reward : 0.5).step();
    return s;
  }

  struct Offpeak {
    int replayed = 0, improved = 0;
    int64_t evicted = -1;  // -1: no budget, no eviction
  };

  // Replays the examples worth it (three large-model samples, best judged kept if better),
  // evicts to the budget, recalibrates the router.
  Offpeak offpeak() {
    std::vector<std::tuple<int64_t, std::string, double>> rows;
    Query q(db, "SELECT rowid, request, quality FROM iccache_replay('ex', ?, ?) LIMIT ?");
    q.num(o.replay_cost).num(wall_clock()).integer(o.replay_limit);
    while (q.step()) rows.emplace_back(q.col_int(0), q.col(1), q.col_num(2));
    Offpeak out;
    out.replayed = static_cast<int>(rows.size());
    for (const auto& [id, request, quality] : rows) {
      std::string best;
      double best_reward = -1;
      for (int i = 0; i < 3; ++i) {
        std::string answer = world.generate(sim::kLarge, request, {});
        const double reward = world.judge(request, answer);
        if (reward > best_reward) best = answer, best_reward = reward;
      }
      if (best_reward > quality) {
        Query(db, "UPDATE ex SET response = ?, quality = ? WHERE rowid = ?").text(best).num(best_reward).integer(id).step();
        ++out.improved;
      }
    }
    if (!o.budget.empty()) {
      Query evict(db, "SELECT json_extract(iccache_evict('ex'), '$.evicted')");
      evict.step();
      out.evicted = evict.col_int(0);
    }
    // RouteLLM-style target: this share of recent decisions to the large model.
    if (o.large_share >= 0) Query(db, "SELECT iccache_calibrate('ex', ?)").num(o.large_share).step();
    return out;
  }
};

// --help: every option with its default (the same names and meanings as serving_loop.py's).
constexpr const char* kUsage =
    "usage: serving_loop_cpp [--option value]...\n"
    "The serving loop of examples/serving_loop.py in C++, on the seeded simulated models\n"
    "(sim_world.h): select, prompt, route, generate, feedback, admit; off-peak replay + evict.\n"
    "Run from the repository root.\n\n"
    "  --db FILE              cache file (default :memory:)\n"
    "  --extension PATH       iccache.so, with or without .so (default build/iccache)\n"
    "  --data FILE            GSM8K sample the simulation draws from (default examples/data/gsm8k_sample.json)\n"
    "  --budget SIZE          byte budget of a new table, e.g. 256KB (default none)\n"
    "  --requests N           requests to serve (default 400)\n"
    "  --warm N               past requests answered by the large model, cached first (default 100)\n"
    "  --distinct N           distinct problems in the traffic (default 200)\n"
    "  --k N                  examples per request (default 5)\n"
    "  --max-chars N          character budget of request + examples (default 8000)\n"
    "  --offpeak-every N      requests between off-peak steps, 0: never (default 50)\n"
    "  --qps X                arrival rate of the simulated clock (default 2)\n"
    "  --feedback-rate X      share of decisions judged besides those the router asks about (default 1)\n"
    "  --large-share X        calibrate so this share goes to the large model, negative: never (default 0.3)\n"
    "  --cost-weight X        a new table's cost_weight (default 0)\n"
    "  --seed N               seed of the simulation and the table (default 7)\n"
    "  -h, --help             this text\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::runtime_error("option " + a + " needs a value; see --help");
    const char* v = argv[++i];
    if (a == "--db") o.db = v;
    else if (a == "--extension") o.extension = v;
    else if (a == "--data") o.data = v;
    else if (a == "--budget") o.budget = v;
    else if (a == "--requests") o.requests = std::atoi(v);
    else if (a == "--warm") o.warm = std::atoi(v);
    else if (a == "--distinct") o.distinct = std::atoi(v);
    else if (a == "--k") o.k = std::atoi(v);
    else if (a == "--max-chars") o.max_chars = std::atoi(v);
    else if (a == "--offpeak-every") o.offpeak_every = std::atoi(v);
    else if (a == "--qps") o.qps = std::atof(v);
    else if (a == "--feedback-rate") o.feedback_rate = std::atof(v);
    else if (a == "--large-share") o.large_share = std::atof(v);
    else if (a == "--cost-weight") o.cost_weight = std::atof(v);
    else if (a == "--seed") o.seed = std::strtoull(v, nullptr, 10);
    else throw std::runtime_error("unknown option " + a + "; expected --db, --extension, --data, --budget, "
                                  "--requests, --warm, --distinct, --k, --max-chars, --offpeak-every, --qps, "
                                  "--feedback-rate, --large-share, --cost-weight or --seed (--help explains them)");
  }
  return o;
}

int run(const Options& o) {
  sqlite3* db = nullptr;
  if (sqlite3_open(o.db.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + o.db);
  sqlite3_enable_load_extension(db, 1);
  char* err = nullptr;
  if (sqlite3_load_extension(db, o.extension.c_str(), nullptr, &err) != SQLITE_OK) {
    std::string msg = "cannot load the iccache extension " + o.extension + ": " + (err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
    throw std::runtime_error(msg + " (build it first, or pass --extension)");
  }
  char weight[32];
  std::snprintf(weight, sizeof weight, "%g", o.cost_weight);
  std::string opts = "models='sim-small:0.1,sim-large:1', seed=" + std::to_string(o.seed) + ", cost_weight=" + weight;
  if (!o.budget.empty()) opts += ", budget='" + o.budget + "'";
  Query(db, "CREATE VIRTUAL TABLE IF NOT EXISTS ex USING iccache(" + opts + ")").step();
  sim::World world(load_problems(db, o.data), o.seed);
  std::vector<std::string> all = world.requests(o.requests + o.warm, o.distinct);
  for (int i = 0; i < o.warm; ++i)
    Query(db, "INSERT INTO ex(request, response, model) VALUES (?, ?, ?)")
        .text(all[i]).text(world.generate(sim::kLarge, all[i], {})).text(sim::kLarge).step();
  Loop loop{db, world, o};
  sim::Rng gaps(sim::splitmix64(o.seed + 1));
  double clock = o.db == ":memory:" ? kSimStart : wall_clock();
  std::vector<Served> results;
  std::vector<Loop::Offpeak> offpeak;
  for (int i = 1; i <= o.requests; ++i) {
    clock += -std::log(1.0 - gaps.uniform()) / o.qps;
    results.push_back(loop.serve(all[o.warm + i - 1], clock));
    if (o.offpeak_every > 0 && i % o.offpeak_every == 0) offpeak.push_back(loop.offpeak());
  }
  std::printf("iccache serving loop (C++): backend sim, %d requests, models sim-small (cost 0.1) / sim-large (cost 1)\n",
              o.requests);
  std::printf("%-12s %12s %12s %14s\n", "requests", "small share", "mean reward", "cost vs large");
  const int n = static_cast<int>(results.size());
  for (int p = 0; p < 4; ++p) {
    const int from = p * n / 4, to = (p + 1) * n / 4;
    if (to == from) continue;
    int small = 0, judged = 0;
    double reward = 0, cost = 0;
    for (int i = from; i < to; ++i) {
      small += results[i].small;
      cost += results[i].small ? 0.1 : 1.0;
      if (results[i].judged) ++judged, reward += results[i].reward;
    }
    char range[32], mean[16] = "-";
    std::snprintf(range, sizeof range, "%d-%d", from + 1, to);
    if (judged) std::snprintf(mean, sizeof mean, "%.3f", reward / judged);
    std::printf("%-12s %12.3f %12s %14.3f\n", range, static_cast<double>(small) / (to - from), mean, cost / (to - from));
  }
  for (size_t i = 0; i < offpeak.size(); ++i) {
    std::printf("off-peak %zu: replayed %d examples, %d improved", i + 1, offpeak[i].replayed, offpeak[i].improved);
    if (offpeak[i].evicted >= 0) std::printf(", evicted %lld", static_cast<long long>(offpeak[i].evicted));
    std::printf("\n");
  }
  Query count(db, "SELECT (SELECT count(*) FROM ex), (SELECT value FROM iccache_stats('ex') WHERE key = 'decisions_with_feedback')");
  count.step();
  std::printf("cache: %lld examples, %lld decisions with feedback\n", static_cast<long long>(count.col_int(0)),
              static_cast<long long>(count.col_int(1)));
  sqlite3_close_v2(db);  // closes once `count` is finalized
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "serving_loop: %s\n", e.what());
    return 1;
  }
}
