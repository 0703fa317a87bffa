// Eviction policies compared on a replayed request stream (docs/example-manager.md):
// iccache's knapsack (value = recency-weighted offload successes, weight = bytes) against
// GPTCache's LRU, LFU and random replacement, with caches of 1%, 5%, 20% and 100% of the
// size an unbounded cache reaches. Prints a table and writes a data file for gnuplot.
//
//   build-manage/bench/manage_policy_compare [data dir] [requests] [seed] [out.dat]
//
// Stream (seeded): prompts are the 7,473 GSM8K questions and the 805 AlpacaEval
// instructions of ../shared/data, responses the GSM8K worked answers and GPT-4's AlpacaEval
// outputs (real lengths, so real byte weights). Popularity is Zipf(1.1) over the prompts,
// re-drawn in each of 5 phases (interest drifts); each request drops ~15% of its prompt's
// words at random (a paraphrase), so repeats are similar, not identical.
//
// Simulated serving and feedback:
//   - selection: the cached example with the highest cosine similarity s (built-in
//     embedder, dim 64, exact search);
//   - if s >= 0.5 the small model serves with that example; it succeeds (reward 1, an
//     offload) with probability q_e * min(1, (s - 0.5) / 0.4), where q_e ~ U(0.4, 1) is the
//     example's latent helpfulness; otherwise (reward 0.2) the large model answers again;
//   - a request the small model did not serve successfully is admitted as a new example
//     (the large model's answer); the example shown gets the feedback (uses, offloads).
//   - when the cache exceeds its byte budget, every policy evicts down to 90% of it
//     (iccache's low-water mark), so all policies run equally often.
// The figure of merit is the number of successful offloads over the stream.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "codec/text_codec.h"
#include "common/footprint.h"
#include "embed/hash_embedder.h"
#include "index/exact_index.h"
#include "manage/eviction.h"
#include "manage/example_stats.h"

namespace {

constexpr int kDim = 64;

struct Pair {
  std::string prompt, answer;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// JSON parsing through SQLite's json_each (the bench links SQLite anyway).
std::vector<Pair> load(const std::string& dir) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  std::vector<Pair> out;
  auto read = [&](const std::string& json, const char* sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    sqlite3_bind_text(s, 1, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
      out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                     reinterpret_cast<const char*>(sqlite3_column_text(s, 1))});
    sqlite3_finalize(s);
  };
  std::ifstream gsm(dir + "/gsm8k/train.jsonl");
  for (std::string line; std::getline(gsm, line);)
    read(line, "SELECT json_extract(?1, '$.question'), json_extract(?1, '$.answer')");
  read(slurp(dir + "/alpaca_eval/gpt4.model_outputs.json"),
       "SELECT json_extract(value, '$.instruction'), json_extract(value, '$.output') FROM json_each(?1)");
  sqlite3_close(db);
  return out;
}

std::string paraphrase(const std::string& text, std::mt19937_64& rng) {
  std::istringstream in(text);
  std::string word, out;
  while (in >> word)
    if (rng() % 100 >= 15) out += (out.empty() ? "" : " ") + word;
  return out.empty() ? text : out;
}

struct Request {
  size_t pair;
  std::vector<float> vec;
};

std::vector<Request> make_stream(const std::vector<Pair>& pairs, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  iccache::HashEmbedder embedder(kDim);
  // Zipf(1.1) weights over ranks; each phase maps ranks to a fresh random permutation.
  std::vector<double> w(pairs.size());
  for (size_t r = 0; r < w.size(); ++r) w[r] = 1.0 / std::pow(static_cast<double>(r + 1), 1.1);
  std::discrete_distribution<size_t> zipf(w.begin(), w.end());
  std::vector<size_t> perm(pairs.size());
  std::vector<Request> out;
  for (size_t i = 0; i < n; ++i) {
    if (i % (n / 5) == 0) {
      for (size_t k = 0; k < perm.size(); ++k) perm[k] = k;
      std::shuffle(perm.begin(), perm.end(), rng);
    }
    const size_t p = perm[zipf(rng)];
    out.push_back({p, embedder.embed(paraphrase(pairs[p].prompt, rng))});
  }
  return out;
}

enum class Policy { kKnapsack, kLru, kLfu, kRandom };
const char* name(Policy p) {
  switch (p) {
    case Policy::kKnapsack: return "iccache knapsack";
    case Policy::kLru: return "LRU";
    case Policy::kLfu: return "LFU";
    default: return "random";
  }
}

struct Example {
  int64_t bytes;
  double quality;  // latent helpfulness q_e
  double last_use;
  int64_t uses = 0;
  iccache::manage::ExampleStats stats;
};

struct Outcome {
  int64_t offloads = 0;
  int64_t peak_bytes = 0;
};

Outcome run(const std::vector<Pair>& pairs, const std::vector<Request>& stream, Policy policy,
            int64_t budget, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u01(0, 1);
  iccache::manage::StatsParams params;
  params.half_life = static_cast<double>(stream.size()) / 20;  // in requests: 5% of the stream
  iccache::index::ExactIndex index(kDim);
  std::map<int64_t, Example> cache;
  int64_t total = 0, next_id = 1;
  Outcome out;
  for (size_t t = 0; t < stream.size(); ++t) {
    const Request& r = stream[t];
    const double now = static_cast<double>(t);
    bool offloaded = false;
    if (index.size() > 0) {
      const iccache::index::Hit best = index.search(r.vec.data(), 1)[0];
      if (best.score >= 0.5) {
        Example& e = cache.at(best.id);
        const double p = e.quality * std::min(1.0, (best.score - 0.5) / 0.4);
        offloaded = u01(rng) < p;
        iccache::manage::apply_feedback(e.stats, {offloaded ? 1.0 : 0.2, 0.1, 1.0, now}, params);
        e.uses += 1;
        e.last_use = now;
      }
    }
    if (offloaded) {
      ++out.offloads;
      continue;
    }
    // Admit the large model's answer as a new example.
    const Pair& pr = pairs[r.pair];
    Example e;
    e.bytes = iccache::example_bytes(static_cast<int64_t>(iccache::encode_text(pr.prompt).bytes.size()),
                                     static_cast<int64_t>(iccache::encode_text(pr.answer).bytes.size()),
                                     5, 0, kDim);
    if (e.bytes > budget) continue;
    e.quality = 0.4 + 0.6 * u01(rng);
    e.last_use = now;
    e.stats.decay_at = now;
    const int64_t id = next_id++;
    cache.emplace(id, e);
    index.upsert(id, r.vec.data(), "");
    total += e.bytes;
    out.peak_bytes = std::max(out.peak_bytes, total);
    if (total <= budget) continue;
    // Evict down to the low-water mark; the new example stays (as iccache's INSERT does).
    const auto low = static_cast<int64_t>(0.9 * static_cast<double>(budget));
    std::vector<int64_t> victims;
    if (policy == Policy::kKnapsack) {
      std::vector<iccache::manage::EvictionCandidate> c;
      for (const auto& [cid, ex] : cache)
        c.push_back({cid, ex.bytes, ex.stats.value, ex.stats.decay_at, cid == id});
      victims = iccache::manage::plan_eviction(c, low, params.half_life).evict;
    } else {
      std::vector<std::pair<double, int64_t>> order;  // ascending = evicted first
      for (const auto& [cid, ex] : cache) {
        if (cid == id) continue;
        const double key = policy == Policy::kLru ? ex.last_use
                           : policy == Policy::kLfu ? static_cast<double>(ex.uses) + ex.last_use * 1e-9
                                                    : u01(rng);
        order.push_back({key, cid});
      }
      std::sort(order.begin(), order.end());
      int64_t left = total;
      for (const auto& [key, cid] : order) {
        if (left <= low) break;
        victims.push_back(cid);
        left -= cache.at(cid).bytes;
      }
    }
    for (int64_t v : victims) {
      total -= cache.at(v).bytes;
      cache.erase(v);
      index.remove(v);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ICCACHE_SOURCE_DIR "/../shared/data";
  const size_t requests = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 20000;
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 6;
  const std::string dat = argc > 4 ? argv[4] : "";
  struct stat st;
  if (stat((dir + "/gsm8k/train.jsonl").c_str(), &st) != 0 ||
      stat((dir + "/alpaca_eval/gpt4.model_outputs.json").c_str(), &st) != 0) {
    std::printf("skipped: %s/gsm8k and %s/alpaca_eval not found (the data lives in ../shared)\n",
                dir.c_str(), dir.c_str());
    return 0;
  }
  const std::vector<Pair> pairs = load(dir);
  const std::vector<Request> stream = make_stream(pairs, requests, seed);
  // The full size: what an unbounded cache reaches on this stream.
  const Outcome full = run(pairs, stream, Policy::kLru, INT64_MAX / 4, seed + 1);
  std::printf("%zu prompts, %zu requests, seed %llu; unbounded cache: %lld bytes, %lld offloads\n\n",
              pairs.size(), stream.size(), static_cast<unsigned long long>(seed),
              static_cast<long long>(full.peak_bytes), static_cast<long long>(full.offloads));
  const Policy policies[] = {Policy::kKnapsack, Policy::kLru, Policy::kLfu, Policy::kRandom};
  std::printf("| cache size | bytes |");
  for (Policy p : policies) std::printf(" %s |", name(p));
  std::printf("\n|---|---|---|---|---|---|\n");
  FILE* out = dat.empty() ? nullptr : std::fopen(dat.c_str(), "w");
  if (out) std::fprintf(out, "# percent knapsack lru lfu random (successful offloads)\n");
  for (double pct : {1.0, 5.0, 20.0, 100.0}) {
    const auto budget = static_cast<int64_t>(static_cast<double>(full.peak_bytes) * pct / 100);
    std::printf("| %g%% | %lld |", pct, static_cast<long long>(budget));
    if (out) std::fprintf(out, "%g", pct);
    for (Policy p : policies) {
      const Outcome o = run(pairs, stream, p, budget, seed + 1);
      std::printf(" %lld (%.0f%%) |", static_cast<long long>(o.offloads),
                  100.0 * static_cast<double>(o.offloads) / static_cast<double>(full.offloads));
      if (out) std::fprintf(out, " %lld", static_cast<long long>(o.offloads));
    }
    std::printf("\n");
    if (out) std::fprintf(out, "\n");
  }
  if (out) std::fclose(out);
  return 0;
}
