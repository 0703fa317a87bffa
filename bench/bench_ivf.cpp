// Selection at scale: exact vs IVF (several nprobe) vs IVF-SQ8 vs the raw engine call vs
// sqlite-vec, on the same vectors and queries, in one run. See bench/run_ivf_bench.sh.
//
//   bench_ivf [--vec0 PATH] [--sizes 100000,1000000] [--shared DIR] [--queries 200]
//             [--exact-queries 50] [--dir /tmp] [--centres 2000 (0: N/50)] [--noise 0.8]
//             [--no-text 1]
//
// Data sets: "clustered" (d = 384: seeded random unit centres, 2,000 or N/50, plus Gaussian
// noise of norm 0.8, then normalised; queries drawn the same way, not in the set) at each size, and "text"
// (d = 384, the built-in embedder over AlpacaEval-free real text: Alpaca instructions and
// GSM8K questions from --shared when present, else the shipped GSM8K sample; the last 200
// texts are the queries). Ground truth is the engine's exact search.
#include <sqlite3.h>

#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "bench_util.h"
#include "embed/hash_embedder.h"
#include "index/exact_index.h"
#include "index/ivf_index.h"

using namespace bench;

namespace {

struct Args {
  std::string vec0;
  std::vector<size_t> sizes = {100000, 1000000};
  std::string shared = ICCACHE_SOURCE_DIR "/../shared/data";
  int queries = 200;
  int exact_queries = 50;
  std::string dir = "/tmp";
  bool text = true;
  int centres = 2000;   // 0: N / 50 (clusters finer than the K = sqrt(N) lists)
  float noise = 0.8f;   // norm of the Gaussian noise around a unit centre
};

struct Dataset {
  std::string name;
  int dim;
  size_t n;
  std::vector<float> base, queries;
  int nq() const { return static_cast<int>(queries.size() / dim); }
  const float* q(int i) const { return &queries[static_cast<size_t>(i) * dim]; }
};

void normalize(float* v, int dim) {
  double s = 0;
  for (int d = 0; d < dim; ++d) s += double(v[d]) * v[d];
  for (int d = 0; d < dim; ++d) v[d] = static_cast<float>(v[d] / std::sqrt(s));
}

Dataset clustered(size_t n, int nq, int centres_arg, float noise) {
  // With a fixed number of centres (default 2,000) the structure is coarser than the
  // K = sqrt(N) lists at large N; with --centres 0 every centre has ~50 vectors and each
  // list mixes many unrelated clusters, the hard case for IVF.
  const int dim = 384;
  const int centres = centres_arg > 0 ? centres_arg : static_cast<int>(std::max<size_t>(100, n / 50));
  std::mt19937 rng(20261126);
  std::normal_distribution<float> g;
  std::vector<float> c(static_cast<size_t>(centres) * dim);
  for (auto& x : c) x = g(rng);
  for (int i = 0; i < centres; ++i) normalize(&c[static_cast<size_t>(i) * dim], dim);
  auto draw = [&](std::vector<float>& out, size_t count) {
    out.resize(count * dim);
    std::uniform_int_distribution<int> pick(0, centres - 1);
    for (size_t i = 0; i < count; ++i) {
      const float* centre = &c[static_cast<size_t>(pick(rng)) * dim];
      // noise of norm `noise` around a unit centre (0.8: neighbours within a cluster at
      // cosine ~0.6)
      for (int d = 0; d < dim; ++d) out[i * dim + d] = centre[d] + noise * g(rng) / std::sqrt(float(dim));
      normalize(&out[i * dim], dim);
    }
  };
  Dataset ds{"clustered (" + std::to_string(centres) + " centres, noise " + std::to_string(noise).substr(0, 4) + ")", dim, n, {}, {}};
  draw(ds.base, n);
  draw(ds.queries, nq);
  return ds;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Texts through SQLite's JSON functions: `sql` selects one text column from json_each(?1).
void json_texts(sqlite3* db, const std::string& json, const char* sql, std::vector<std::string>& out) {
  if (json.empty()) return;
  sqlite3_stmt* s = prepare(db, sql);
  sqlite3_bind_text(s, 1, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
}

Dataset text_set(const Args& a, std::string* source) {
  sqlite3* db;
  sqlite3_open(":memory:", &db);
  std::vector<std::string> texts;
  const char* instr = "SELECT trim(json_extract(value,'$.instruction') || ' ' || json_extract(value,'$.input')) FROM json_each(?1)";
  json_texts(db, slurp(a.shared + "/alpaca/alpaca_data_1k.json"), instr, texts);
  json_texts(db, slurp(a.shared + "/alpaca/alpaca_gpt4_en_demo_1k.json"), instr, texts);
  std::string gsm = slurp(a.shared + "/gsm8k/train.jsonl");
  if (!texts.empty() && !gsm.empty()) {
    // JSONL -> one JSON array, so json_each can read it.
    std::string arr = "[";
    std::istringstream lines(gsm);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) arr += (arr.size() > 1 ? "," : "") + line;
    json_texts(db, arr + "]", "SELECT json_extract(value,'$.question') FROM json_each(?1)", texts);
    *source = "Alpaca (2 files) + GSM8K train questions from ../shared/data";
  } else {
    texts.clear();
    json_texts(db, slurp(ICCACHE_SOURCE_DIR "/examples/data/gsm8k_sample.json"),
               "SELECT json_extract(value,'$.question') FROM json_each(?1)", texts);
    *source = "the shipped GSM8K sample (../shared/data not found)";
  }
  sqlite3_close(db);
  const int dim = 384;
  iccache::HashEmbedder emb(dim);
  Dataset ds{"text", dim, texts.size() - 200, {}, {}};
  ds.base.resize(ds.n * dim);
  ds.queries.resize(200 * dim);
  for (size_t i = 0; i < texts.size(); ++i)
    emb.embed(texts[i], i < ds.n ? &ds.base[i * dim] : &ds.queries[(i - ds.n) * dim]);
  return ds;
}

struct Row {
  std::string system;
  double build_s = -1, train_s = -1, p50 = 0, p99 = 0, recall = -1, bytes_per_example = 0;
  std::string note;
};

void print(const std::vector<Row>& rows) {
  std::printf("| system | build s | train s | p50 ms | p99 ms | recall@10 | bytes/example | note |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    auto num = [](double v, const char* fmt) {
      char b[32];
      if (v < 0) return std::string("");
      std::snprintf(b, sizeof b, fmt, v);
      return std::string(b);
    };
    std::printf("| %s | %s | %s | %.3f | %.3f | %s | %s | %s |\n", r.system.c_str(), num(r.build_s, "%.1f").c_str(),
                num(r.train_s, "%.1f").c_str(), r.p50, r.p99, num(r.recall, "%.3f").c_str(),
                num(r.bytes_per_example, "%.0f").c_str(), r.note.c_str());
  }
  std::fflush(stdout);
}

using Truth = std::vector<std::set<int64_t>>;

Truth exact_truth(const Dataset& ds) {
  iccache::index::ExactIndex ex(ds.dim);
  ex.reserve(ds.n);
  for (size_t i = 0; i < ds.n; ++i) ex.upsert(static_cast<int64_t>(i + 1), &ds.base[i * ds.dim], "");
  Truth t(ds.nq());
  for (int i = 0; i < ds.nq(); ++i)
    for (auto& h : ex.search(ds.q(i), 10)) t[i].insert(h.id);
  return t;
}

double recall(const Truth& truth, const std::vector<std::vector<int64_t>>& got) {
  size_t hit = 0, total = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    for (int64_t id : got[i]) hit += truth[i].count(id);
    total += truth[i].size();
  }
  return total ? double(hit) / total : 0;
}

// Runs `nq` queries through a prepared statement whose ?1 is the vector BLOB; returns
// latencies and the ids returned.
std::vector<double> run_queries(sqlite3* db, sqlite3_stmt* s, const Dataset& ds, int nq,
                                std::vector<std::vector<int64_t>>* ids) {
  std::vector<double> lat;
  if (ids) ids->assign(nq, {});
  for (int i = 0; i < nq; ++i) {
    auto t0 = Clock::now();
    sqlite3_bind_blob(s, 1, ds.q(i), ds.dim * 4, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      if (ids) (*ids)[i].push_back(sqlite3_column_int64(s, 0));
    must(db, rc, "query");
    sqlite3_reset(s);
    lat.push_back(ms_since(t0));
  }
  return lat;
}

double insert_all(sqlite3* db, const std::string& sql, const Dataset& ds) {
  sqlite3_stmt* s = prepare(db, sql);
  auto t0 = Clock::now();
  exec(db, "BEGIN");
  for (size_t i = 0; i < ds.n; ++i) {
    sqlite3_bind_int64(s, 1, static_cast<int64_t>(i + 1));
    sqlite3_bind_blob(s, 2, &ds.base[i * ds.dim], ds.dim * 4, SQLITE_STATIC);
    must(db, sqlite3_step(s), "insert");
    sqlite3_reset(s);
    if ((i + 1) % 200000 == 0) exec(db, "COMMIT; BEGIN");
  }
  exec(db, "COMMIT");
  sqlite3_finalize(s);
  return ms_since(t0) / 1000;
}

const std::vector<int> kNprobes = {1, 4, 8, 16, 32, 64};

// One iccache table (flat or SQ8): build, exact through SQL (before training), train,
// nprobe sweep, single-insert latency. Appends rows; returns the file path.
std::string run_iccache(const Args& a, const Dataset& ds, const Truth& truth, bool sq8,
                        std::vector<Row>& rows, std::map<std::string, double>& extra) {
  const std::string tag = ds.name + "_" + std::to_string(ds.n) + (sq8 ? "_sq8" : "_flat");
  const std::string path = a.dir + "/iccache_bench_" + tag + ".db";
  sqlite3* db = open_fresh(path, {ICCACHE_EXT_PATH});
  exec(db, "CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(ds.dim) +
               ", embedder='none', ivf_min=1000000000, seed=1" + (sq8 ? ", quantizer='sq8'" : "") + ")");
  const std::string label = sq8 ? "iccache IVF-SQ8" : "iccache IVF";
  double build = insert_all(db, "INSERT INTO ex(rowid, request, response, embedding) VALUES(?1, 'q', 'a', ?2)", ds);
  sqlite3_stmt* q = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 10");
  if (!sq8) {
    run_queries(db, q, ds, 1, nullptr);  // loads the index
    std::vector<std::vector<int64_t>> ids;
    int nq = std::min(a.exact_queries, ds.nq());
    auto lat = run_queries(db, q, ds, nq, &ids);
    Truth sub(truth.begin(), truth.begin() + nq);
    rows.push_back({"iccache exact (untrained)", build, -1, percentile(lat, 0.5), percentile(lat, 0.99),
                    recall(sub, ids), double(file_bytes(path)) / ds.n, std::to_string(nq) + " queries"});
  }
  sqlite3_finalize(q);
  auto t0 = Clock::now();
  exec(db, "INSERT INTO ex(ex) VALUES('optimize')");
  double train = ms_since(t0) / 1000;
  {
    sqlite3_stmt* st = prepare(db, "SELECT key, value FROM ex_state WHERE key LIKE 'train_%_s'");
    while (sqlite3_step(st) == SQLITE_ROW)
      extra[label + " " + reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
  }
  exec(db, "VACUUM");  // training rewrote every list row; measure the settled file
  const double bytes = double(file_bytes(path)) / ds.n;
  sqlite3_stmt* qn = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 10 AND nprobe = ?2");
  for (int np : kNprobes) {
    sqlite3_bind_int(qn, 2, np);
    run_queries(db, qn, ds, 5, nullptr);  // warm-up (first query loads the index)
    std::vector<std::vector<int64_t>> ids;
    auto lat = run_queries(db, qn, ds, ds.nq(), &ids);
    rows.push_back({label + " nprobe=" + std::to_string(np), build, train, percentile(lat, 0.5),
                    percentile(lat, 0.99), recall(truth, ids), bytes,
                    sq8 ? std::to_string(ds.dim) + " B/vector in memory (codes)" : ""});
    build = train = -1;
  }
  sqlite3_finalize(qn);
  {  // The default: nprobe as tuned at training (no nprobe constraint).
    sqlite3_stmt* qd = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ?1 AND k = 10");
    run_queries(db, qd, ds, 5, nullptr);
    std::vector<std::vector<int64_t>> ids;
    auto lat = run_queries(db, qd, ds, ds.nq(), &ids);
    sqlite3_finalize(qd);
    sqlite3_stmt* t = prepare(db, "SELECT value FROM ex_state WHERE key = 'nprobe_tuned'");
    int tuned = sqlite3_step(t) == SQLITE_ROW ? sqlite3_column_int(t, 0) : 0;
    sqlite3_finalize(t);
    extra[label + " tuned nprobe"] = tuned;
    rows.push_back({label + " default (tuned nprobe=" + std::to_string(tuned) + ")", -1, -1,
                    percentile(lat, 0.5), percentile(lat, 0.99), recall(truth, ids), bytes, ""});
  }
  // One example into the trained index: statement time inside a transaction (no fsync).
  exec(db, "BEGIN");
  sqlite3_stmt* ins = prepare(db, "INSERT INTO ex(request, response, embedding) VALUES('q', 'a', ?1)");
  std::vector<double> lat;
  for (int i = 0; i < std::min(200, ds.nq()); ++i) {
    auto t1 = Clock::now();
    sqlite3_bind_blob(ins, 1, ds.q(i), ds.dim * 4, SQLITE_STATIC);
    must(db, sqlite3_step(ins), "insert one");
    sqlite3_reset(ins);
    lat.push_back(ms_since(t1));
  }
  sqlite3_finalize(ins);
  exec(db, "ROLLBACK");
  extra[label + " insert one p50 ms"] = percentile(lat, 0.5);
  extra[label + " insert one p99 ms"] = percentile(lat, 0.99);
  sqlite3_close(db);
  return path;
}

// The same search without SQL: an IvfIndex built from the table's stored training and
// lists, queried directly at the default nprobe.
void run_raw(const Dataset& ds, const std::string& path, const Truth& truth, int nprobe, std::vector<Row>& rows) {
  sqlite3* db;
  sqlite3_open(path.c_str(), &db);
  iccache::index::IvfIndex ivf(ds.dim, false);
  std::vector<float> centroids;
  sqlite3_stmt* s = prepare(db, "SELECT centroid FROM ex_centroids ORDER BY list");
  while (sqlite3_step(s) == SQLITE_ROW) {
    const float* c = static_cast<const float*>(sqlite3_column_blob(s, 0));
    centroids.insert(centroids.end(), c, c + ds.dim);
  }
  sqlite3_finalize(s);
  ivf.set_training(centroids, {});
  s = prepare(db, "SELECT id, list FROM ex_index WHERE id <= ?1");
  sqlite3_bind_int64(s, 1, static_cast<int64_t>(ds.n));
  while (sqlite3_step(s) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    ivf.add(id, sqlite3_column_int(s, 1), "", &ds.base[(id - 1) * ds.dim], nullptr);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  std::vector<double> lat;
  std::vector<std::vector<int64_t>> ids(ds.nq());
  for (int i = 0; i < ds.nq(); ++i) {
    auto t0 = Clock::now();
    for (auto& h : ivf.search(ds.q(i), 10, nullptr, nprobe)) ids[i].push_back(h.id);
    lat.push_back(ms_since(t0));
  }
  rows.push_back({"raw engine IvfIndex::search nprobe=" + std::to_string(nprobe), -1, -1, percentile(lat, 0.5),
                  percentile(lat, 0.99), recall(truth, ids), 0, "no SQL"});
}

void run_vec0(const Args& a, const Dataset& ds, const Truth& truth, std::vector<Row>& rows) {
  const std::string path = a.dir + "/vec0_bench_" + ds.name + "_" + std::to_string(ds.n) + ".db";
  sqlite3* db = open_fresh(path, {a.vec0});
  exec(db, "CREATE VIRTUAL TABLE v USING vec0(embedding float[" + std::to_string(ds.dim) + "] distance_metric=cosine)");
  double build = insert_all(db, "INSERT INTO v(rowid, embedding) VALUES(?1, ?2)", ds);
  sqlite3_stmt* q = prepare(db, "SELECT rowid FROM v WHERE embedding MATCH ?1 AND k = 10");
  run_queries(db, q, ds, 1, nullptr);
  int nq = std::min(a.exact_queries, ds.nq());
  std::vector<std::vector<int64_t>> ids;
  auto lat = run_queries(db, q, ds, nq, &ids);
  sqlite3_finalize(q);
  sqlite3_close(db);
  Truth sub(truth.begin(), truth.begin() + nq);
  rows.push_back({"sqlite-vec 0.1.9 vec0 (exact)", build, -1, percentile(lat, 0.5), percentile(lat, 0.99),
                  recall(sub, ids), double(file_bytes(path)) / ds.n, std::to_string(nq) + " queries"});
  std::remove(path.c_str());
}

void run_dataset(const Args& a, const Dataset& ds) {
  std::printf("\n### %s, N = %zu, d = %d, k = 10, %d queries\n\n", ds.name.c_str(), ds.n, ds.dim, ds.nq());
  std::fflush(stdout);
  Truth truth = exact_truth(ds);
  std::vector<Row> rows;
  std::map<std::string, double> extra;
  std::string flat = run_iccache(a, ds, truth, false, rows, extra);
  for (int np : {8, 16}) run_raw(ds, flat, truth, np, rows);
  std::string sq8 = run_iccache(a, ds, truth, true, rows, extra);
  if (!a.vec0.empty()) run_vec0(a, ds, truth, rows);
  print(rows);
  for (auto& [k, v] : extra) std::printf("- %s: %.3f\n", k.c_str(), v);
  std::fflush(stdout);
  std::remove(flat.c_str());
  std::remove(sq8.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--vec0") a.vec0 = v;
    else if (k == "--shared") a.shared = v;
    else if (k == "--queries") a.queries = std::atoi(v.c_str());
    else if (k == "--exact-queries") a.exact_queries = std::atoi(v.c_str());
    else if (k == "--dir") a.dir = v;
    else if (k == "--centres") a.centres = std::atoi(v.c_str());
    else if (k == "--noise") a.noise = std::stof(v);
    else if (k == "--no-text") a.text = v != "1";
    else if (k == "--sizes") {
      a.sizes.clear();
      std::stringstream ss(v);
      for (std::string part; std::getline(ss, part, ',');) a.sizes.push_back(std::stoull(part));
    } else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      return 2;
    }
  }
  if (a.text) {
    std::string source;
    Dataset text = text_set(a, &source);
    std::printf("text set: %zu examples + 200 queries from %s\n", text.n, source.c_str());
    run_dataset(a, text);
  }
  for (size_t n : a.sizes) run_dataset(a, clustered(n, a.queries, a.centres, a.noise));
  return 0;
}
