// The lexical index (engine/lexical) on real text: latency, recall against the exhaustive
// answer under the same scoring, insert rate, memory, and paraphrase recall next to the
// hash embedder's dense cosine and a plain TF-IDF baseline, in one run.
//
//   lexical_bench [--shared DIR] [--sizes 50000,116000] [--queries 200] [--sql 1]
//                 [--dir /tmp] [--weights uni,bi,char] [--part paraphrase|scale|sql|all]
//                 [--k 10] [--budget 64]   (engine part: k, the pruned search's budget scale; 0 = none)
//
// Corpora are built from --shared (../shared/data) at run time (bench/sentence_corpus.h);
// without it the benchmark says so and exits 0. The last --queries sentences are the
// queries (never inserted). Engine figures first, then (--sql 1) the same through SQL.
#include <sqlite3.h>

#include <climits>
#include <ctime>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "bench_util.h"
#include "embed/hash_embedder.h"
#include "index/topk.h"
#include "lexical/featurizer.h"
#include "lexical/idf.h"
#include "lexical/lexical_index.h"
#include "sentence_corpus.h"

using namespace bench;
using iccache::index::Hit;
using iccache::lexical::Featurizer;
using iccache::lexical::IdfTable;
using iccache::lexical::LexicalIndex;
using iccache::lexical::Term;
using iccache::lexical::TermWeights;

namespace {

// CPU seconds of this thread: on a shared VM the wall clock also counts other builds' time
// slices, the CPU time only this work's (both are printed).
double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Args {
  std::string shared = ICCACHE_SOURCE_DIR "/../shared/data";
  std::vector<size_t> sizes = {50000, 116000};
  int queries = 200;
  bool sql = true;
  std::string part = "all";  // paraphrase | scale | sql | all
  std::string dir = "/tmp";
  TermWeights weights;
  int k = 10;                                     // engine part's k (SQL asks the index for 50)
  double budget = LexicalIndex::kBudgetScale;     // the pruned search's postings budget scale
};

// The IDF count the extension takes: at most kSample texts evenly spread over the table.
IdfTable sample_idf(const std::vector<std::vector<Term>>& terms, size_t n) {
  IdfTable::Counter c;
  const size_t step = (n + IdfTable::kSample - 1) / IdfTable::kSample;
  for (size_t i = 0; i < n; i += std::max<size_t>(1, step)) c.add(terms[i]);
  return c.finish(n);
}

// ---- TF-IDF baseline: unhashed word unigrams and character 3-5-grams of space-padded
// words (scikit-learn's analyzer='char_wb'), sublinear tf, smoothed idf, each analyzer's
// vector L2-normalised, score = the mean of the two cosines. Exact search.
class TfIdf {
 public:
  void fit(const std::vector<std::string>& docs) {
    docs_.clear();
    for (const std::string& d : docs) docs_.push_back(vectorize(d, true));
    n_ = docs.size();
    for (auto& d : docs_) finish(d);
    post_.assign(vocab_.size(), {});
    for (uint32_t i = 0; i < docs_.size(); ++i)
      for (auto [t, w] : docs_[i]) post_[t].emplace_back(i, w);
  }
  // Index of the best document, and the top 5.
  std::vector<uint32_t> top(const std::string& q, size_t k) {
    auto v = vectorize(q, false);
    finish(v);
    std::unordered_map<uint32_t, double> acc;
    for (auto [t, w] : v)
      for (auto [d, dw] : post_[t]) acc[d] += w * dw;
    std::vector<std::pair<double, uint32_t>> all;
    for (auto [d, s] : acc) all.emplace_back(-s, d);
    std::sort(all.begin(), all.end());
    std::vector<uint32_t> out;
    for (size_t i = 0; i < all.size() && i < k; ++i) out.push_back(all[i].second);
    return out;
  }

 private:
  using Vec = std::vector<std::pair<uint32_t, double>>;
  static std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> w;
    std::string cur;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c >= 0x80) {
        cur.push_back(static_cast<char>(std::tolower(c)));
      } else if (!cur.empty()) {
        w.push_back(cur);
        cur.clear();
      }
    }
    if (!cur.empty()) w.push_back(cur);
    return w;
  }
  Vec vectorize(const std::string& s, bool grow) {
    std::map<uint32_t, double> counts;
    auto add = [&](const std::string& key, bool is_char) {
      auto it = vocab_.find(key);
      if (it == vocab_.end()) {
        if (!grow) return;
        it = vocab_.emplace(key, static_cast<uint32_t>(vocab_.size())).first;
        df_.push_back(0);
        is_char_.push_back(is_char);
      }
      counts[it->second] += 1;
    };
    for (const std::string& w : words(s)) {
      add("w:" + w, false);
      const std::string p = " " + w + " ";
      for (int n = 3; n <= 5; ++n)
        for (size_t i = 0; i + n <= p.size(); ++i) add("c:" + p.substr(i, n), true);
    }
    Vec v;
    for (auto [t, c] : counts) {
      v.emplace_back(t, 1.0 + std::log(c));
      if (grow) ++df_[t];
    }
    return v;
  }
  void finish(Vec& v) {
    double nw = 0, nc = 0;
    for (auto& [t, w] : v) {
      w *= std::log((1.0 + n_) / (1.0 + df_[t])) + 1.0;
      (is_char_[t] ? nc : nw) += w * w;
    }
    for (auto& [t, w] : v) w /= std::sqrt(2.0 * (is_char_[t] ? nc : nw));
  }
  std::unordered_map<std::string, uint32_t> vocab_;
  std::vector<uint32_t> df_;
  std::vector<bool> is_char_;
  std::vector<Vec> docs_;
  std::vector<std::vector<std::pair<uint32_t, double>>> post_;
  size_t n_ = 0;
};

void paraphrase(const Args& a) {
  const auto sets = paraphrase_sets(a.shared);
  const auto noise = distractors(a.shared);
  std::printf("\n## Paraphrase recall (stored side + %zu distractor requests; the other side asks)\n\n", noise.size());
  // Two halves of each set's pairs (a fixed shuffle, seed 1414): a change to the scoring is
  // chosen on the "tune" half and must hold on the "check" half, so a gain that is noise
  // on a few hundred pairs shows as one.
  std::printf("| set | pairs | stored texts | method | recall@1 | recall@5 | @1 tune half | @1 check half |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (const ParaphraseSet& set : sets) {
    std::vector<std::string> docs;
    std::unordered_map<std::string, uint32_t> doc_of;
    auto put = [&](const std::string& s) {
      if (doc_of.emplace(s, static_cast<uint32_t>(docs.size())).second) docs.push_back(s);
    };
    for (auto& p : set.pairs) put(p.first);
    for (auto& s : noise) put(s);
    const size_t n = set.pairs.size();
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(1414));
    std::vector<uint8_t> half(n);
    for (size_t i = 0; i < n; ++i) half[order[i]] = i < n / 2 ? 0 : 1;
    auto report = [&](const char* method, auto&& top5) {
      size_t r1 = 0, r5 = 0, h1[2] = {0, 0};
      for (size_t i = 0; i < n; ++i) {
        const auto& p = set.pairs[i];
        const std::vector<uint32_t> t = top5(p.second);
        const uint32_t want = doc_of[p.first];
        if (!t.empty() && t[0] == want) ++r1, ++h1[half[i]];
        if (std::find(t.begin(), t.end(), want) != t.end()) ++r5;
      }
      std::printf("| %s | %zu | %zu | %s | %.3f | %.3f | %.3f | %.3f |\n", set.name.c_str(), n, docs.size(), method,
                  double(r1) / n, double(r5) / n, double(h1[0]) / (n / 2), double(h1[1]) / (n - n / 2));
    };
    // Lexical index, IDF from the stored texts (as the extension counts it).
    Featurizer fz(a.weights);
    std::vector<std::vector<Term>> terms(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) fz.terms(docs[i], terms[i]);
    LexicalIndex lex(sample_idf(terms, docs.size()));
    for (size_t i = 0; i < docs.size(); ++i) lex.add(static_cast<int64_t>(i), "", terms[i]);
    std::vector<Term> q;
    report("lexical index (this)", [&](const std::string& s) {
      fz.terms(s, q);
      std::vector<uint32_t> out;
      for (const Hit& h : lex.search(q, 5, nullptr)) out.push_back(static_cast<uint32_t>(h.id));
      return out;
    });
    // Hash embedder, dim 256 (the default), exact cosine.
    iccache::HashEmbedder emb(256);
    std::vector<float> base(docs.size() * 256);
    for (size_t i = 0; i < docs.size(); ++i) emb.embed(docs[i], &base[i * 256]);
    report("hash embedder dim 256, exact", [&](const std::string& s) {
      std::vector<float> v = emb.embed(s);
      iccache::index::TopK top(5);
      for (size_t i = 0; i < docs.size(); ++i) {
        float d = 0;
        for (int j = 0; j < 256; ++j) d += v[j] * base[i * 256 + j];
        top.push(static_cast<int64_t>(i), d);
      }
      std::vector<uint32_t> out;
      for (const Hit& h : top.take_sorted()) out.push_back(static_cast<uint32_t>(h.id));
      return out;
    });
    TfIdf tfidf;
    tfidf.fit(docs);
    report("TF-IDF word + char_wb 3-5 (baseline)", [&](const std::string& s) { return tfidf.top(s, 5); });
  }
}

void scale(const Args& a, const std::vector<std::string>& corpus) {
  std::printf("\n## Lexical index, engine only (k = %d, %d held-out sentences as queries, budget scale %g)\n\n", a.k,
              a.queries, a.budget);
  std::printf("| N | build s | insert/s | IDF terms | lists | postings/doc | memory B/doc | p50 ms (wall, CPU) | p99 ms (wall, CPU) | "
              "exhaustive p50 ms | recall@k | lists read whole | postings read | rescored | budget stops | maybe inexact |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  const size_t nq = static_cast<size_t>(a.queries);
  std::vector<std::string> queries(corpus.end() - nq, corpus.end());
  Featurizer fz(a.weights);
  for (size_t n : a.sizes) {
    n = std::min(n, corpus.size() - nq);
    auto t0 = Clock::now();
    std::vector<std::vector<Term>> terms(n);
    for (size_t i = 0; i < n; ++i) fz.terms(corpus[i], terms[i]);
    IdfTable idf = sample_idf(terms, n);
    LexicalIndex lex(std::move(idf));
    lex.hold_merges(true);  // as the extension's load
    for (size_t i = 0; i < n; ++i) lex.add(static_cast<int64_t>(i + 1), "", terms[i]);
    lex.hold_merges(false);
    lex.set_budget(a.budget);
    const double build = ms_since(t0) / 1000;
    std::vector<std::vector<Term>>().swap(terms);
    std::vector<double> lat, lat_ex, lat_cpu;
    double recall = 0, lists = 0, cands = 0, read = 0, stops = 0, approx = 0;
    std::vector<Term> q;
    for (int rep = 0; rep < 2; ++rep) {  // the first pass warms caches
      lat.clear(), lat_ex.clear(), lat_cpu.clear(), recall = 0, lists = 0, cands = 0, read = 0, stops = 0, approx = 0;
      for (const std::string& s : queries) {
        auto t = Clock::now();
        const double c = cpu_now();
        fz.terms(s, q);
        LexicalIndex::Stats st;
        std::vector<Hit> got = lex.search(q, a.k, nullptr, 0, &st);
        lat.push_back(ms_since(t));
        lat_cpu.push_back((cpu_now() - c) * 1000);
        t = Clock::now();
        fz.terms(s, q);
        std::vector<Hit> ex = lex.search(q, a.k, nullptr, INT_MAX);
        lat_ex.push_back(ms_since(t));
        std::set<int64_t> want;
        for (const Hit& h : ex) want.insert(h.id);
        for (const Hit& h : got) recall += want.count(h.id);
        lists += double(st.lists_read) / std::max<size_t>(1, st.lists_total);
        cands += st.candidates;
        read += st.postings_read;
        stops += st.budget_hit;
        approx += st.approximate;
      }
    }
    std::printf("| %zu | %.2f | %.0f | %zu | %zu | %.0f | %.0f | %.3f, %.3f | %.3f, %.3f | %.3f | %.4f | %.0f%% | %.0f | %.0f | %.0f%% | %.0f%% |\n",
                n, build, n / build, lex.idf().terms(), lex.lists(), double(lex.postings()) / n,
                double(lex.memory_bytes()) / n, percentile(lat, 0.5), percentile(lat_cpu, 0.5), percentile(lat, 0.99),
                percentile(lat_cpu, 0.99), percentile(lat_ex, 0.5), recall / (double(a.k) * nq), 100 * lists / nq,
                read / nq, cands / nq, 100 * stops / nq, 100 * approx / nq);
    std::fflush(stdout);
  }
}

// One prepared statement's single value as text.
std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = prepare(db, sql);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return out;
}

// Inserts texts (request = text, response = a short answer) in one transaction; seconds.
double insert_all(sqlite3* db, const std::vector<std::string>& req, const std::vector<std::string>* resp,
                  double* cpu_s = nullptr) {
  auto t0 = Clock::now();
  const double c0 = cpu_now();
  exec(db, "BEGIN");
  sqlite3_stmt* ins = prepare(db, "INSERT INTO ex(request, response) VALUES(?, ?)");
  for (size_t i = 0; i < req.size(); ++i) {
    sqlite3_bind_text(ins, 1, req[i].data(), static_cast<int>(req[i].size()), SQLITE_STATIC);
    const std::string& r = resp ? (*resp)[i] : req[i];
    sqlite3_bind_text(ins, 2, r.data(), static_cast<int>(r.size()), SQLITE_STATIC);
    must(db, sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  exec(db, "COMMIT");
  if (cpu_s) *cpu_s = cpu_now() - c0;
  return ms_since(t0) / 1000;
}

void sql_part(const Args& a, const std::vector<std::string>& corpus) {
  std::printf("\n## Through SQL: default options (text_index='lexical', selection='utility'), file database, "
              "one INSERT transaction, MATCH k = 10 with %d held-out sentences\n\n", a.queries);
  std::printf("| N | insert/s (wall, CPU) | file B/example | first MATCH (load) ms (wall, CPU) | p50 ms (wall, CPU) | p99 ms | exhaustive p50 ms | "
              "recall@10 | index memory B/example |\n|---|---|---|---|---|---|---|---|---|\n");
  const size_t nq = static_cast<size_t>(a.queries);
  for (size_t n : a.sizes) {
    n = std::min(n, corpus.size() - nq);
    const std::string path = a.dir + "/lexical_bench.db";
    sqlite3* db = open_fresh(path, {ICCACHE_EXT_PATH});
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, "CREATE VIRTUAL TABLE ex USING iccache()");
    const std::vector<std::string> docs(corpus.begin(), corpus.begin() + n);
    double ins_cpu = 0;
    const double ins = insert_all(db, docs, nullptr, &ins_cpu);
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    const long long bytes = file_bytes(path);
    sqlite3_stmt* q = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ? AND k = 10");
    sqlite3_stmt* qx = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH ? AND k = 10 AND nprobe = 1048576");
    auto run = [&](sqlite3_stmt* s, const std::string& text, std::vector<int64_t>& ids) {
      ids.clear();
      sqlite3_bind_text(s, 1, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
      while (sqlite3_step(s) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(s, 0));
      sqlite3_reset(s);
    };
    std::vector<int64_t> got, want;
    auto t0 = Clock::now();
    double c0 = cpu_now();
    run(q, corpus[corpus.size() - 1], got);
    const double load_ms = ms_since(t0), load_cpu_ms = (cpu_now() - c0) * 1000;
    std::vector<double> lat, lat_ex, lat_cpu;
    double recall = 0;
    for (int rep = 0; rep < 2; ++rep) {
      lat.clear(), lat_ex.clear(), lat_cpu.clear(), recall = 0;
      for (size_t i = corpus.size() - nq; i < corpus.size(); ++i) {
        auto t = Clock::now();
        const double c = cpu_now();
        run(q, corpus[i], got);
        lat.push_back(ms_since(t));
        lat_cpu.push_back((cpu_now() - c) * 1000);
        t = Clock::now();
        run(qx, corpus[i], want);
        lat_ex.push_back(ms_since(t));
        std::set<int64_t> w(want.begin(), want.end());
        for (int64_t id : got) recall += w.count(id);
      }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(qx);
    const double mem = std::stod(scalar(db, "SELECT value FROM ex_stats WHERE key = 'lexical_memory_bytes'"));
    std::printf("| %zu | %.0f, %.0f | %.0f | %.0f, %.0f | %.3f, %.3f | %.3f | %.3f | %.4f | %.0f |\n", n, n / ins,
                n / ins_cpu, double(bytes) / n, load_ms, load_cpu_ms, percentile(lat, 0.5), percentile(lat_cpu, 0.5),
                percentile(lat, 0.99), percentile(lat_ex, 0.5), recall / (10.0 * nq), mem / n);
    std::fflush(stdout);
    sqlite3_close(db);
  }
  // GSM8K examples (question -> worked answer), the reference of the per-example figures.
  std::vector<std::string> qs, as;
  {
    sqlite3* mem = nullptr;
    sqlite3_open(":memory:", &mem);
    const std::string gsm = jsonl_to_array(slurp_file(a.shared + "/gsm8k/train.jsonl"));
    json_column(mem, gsm, "SELECT json_extract(value,'$.question') FROM json_each(?1)", qs);
    json_column(mem, gsm, "SELECT json_extract(value,'$.answer') FROM json_each(?1)", as);
    sqlite3_close(mem);
  }
  if (qs.empty() || qs.size() != as.size()) return;
  std::printf("\n| GSM8K train, %zu examples | file B/example | index memory B/example |\n|---|---|---|\n", qs.size());
  for (const char* opt : {"text_index='vector'", "text_index='lexical'"}) {
    const std::string path = a.dir + "/lexical_bench.db";
    sqlite3* db = open_fresh(path, {ICCACHE_EXT_PATH});
    exec(db, std::string("CREATE VIRTUAL TABLE ex USING iccache(") + opt + ")");
    insert_all(db, qs, &as);
    const long long bytes = file_bytes(path);
    sqlite3_stmt* q = prepare(db, "SELECT rowid FROM ex WHERE ex MATCH 'How many apples?' AND k = 10");
    while (sqlite3_step(q) == SQLITE_ROW) {
    }
    sqlite3_finalize(q);
    const bool lex = std::string(opt).find("lexical") != std::string::npos;
    const double m = std::stod(scalar(db, std::string("SELECT value FROM ex_stats WHERE key = '") +
                                              (lex ? "lexical_memory_bytes" : "index_memory_bytes") + "'"));
    std::printf("| %s | %.0f | %.0f%s |\n", opt, double(bytes) / qs.size(), m / qs.size(),
                lex ? " (+ the vector index when a MATCH with a vector loads it)" : "");
    sqlite3_close(db);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--shared") a.shared = v;
    else if (k == "--queries") a.queries = std::stoi(v);
    else if (k == "--sql") a.sql = v != "0";
    else if (k == "--part") a.part = v;
    else if (k == "--k") a.k = std::stoi(v);
    else if (k == "--budget") a.budget = std::stod(v);
    else if (k == "--dir") a.dir = v;
    else if (k == "--sizes") {
      a.sizes.clear();
      std::stringstream ss(v);
      for (std::string x; std::getline(ss, x, ',');) a.sizes.push_back(std::stoul(x));
    } else if (k == "--weights") {
      std::sscanf(v.c_str(), "%f,%f,%f", &a.weights.unigram, &a.weights.bigram, &a.weights.chargram);
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const std::vector<std::string> corpus = sentences(a.shared);
  if (corpus.size() < 1000) {
    std::printf("skipped: %s not found or too small (the data lives in ../shared/data)\n", a.shared.c_str());
    return 0;
  }
  std::printf("# lexical_bench: %zu distinct sentences of 30-400 bytes from %s; weights %.2f/%.2f/%.2f\n",
              corpus.size(), a.shared.c_str(), a.weights.unigram, a.weights.bigram, a.weights.chargram);
  if (a.part == "all" || a.part == "paraphrase") paraphrase(a);
  if (a.part == "all" || a.part == "scale") scale(a, corpus);
  if ((a.part == "all" && a.sql) || a.part == "sql") sql_part(a, corpus);
  return 0;
}
