// Personal-data scanner: precision and recall of each detector on a labelled corpus, scan
// speed (ns per KB, clean and dense text, against std::regex for two of the patterns), and
// the scan's share of insert time (docs/privacy.md).
//
//   build/bench/privacy_bench [positives_per_kind=2000] [inserts=2000]
//
// Corpus: bench/privacy_corpus.h (seed 18) plus every question and answer of the shipped
// GSM8K sample (examples/data/gsm8k_sample.json) as negatives.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>
#include <vector>

#include "bench_util.h"
#include "privacy/pii_scanner.h"
#include "privacy_corpus.h"

using iccache::PiiKind;
using iccache::PiiMatch;

namespace {

// CPU time of this thread, in ms: the machine these figures come from is shared, and wall
// time there measures the other processes as much as this one.
double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct Counts {
  long labels = 0, tp = 0, fp = 0, fn = 0, exact = 0;
};

void evaluate(const bench::LabelledText& t, Counts* counts) {
  std::vector<bool> hit(t.labels.size(), false);
  size_t from = 0;
  while (auto m = iccache::next_pii(t.text, from)) {
    from = m->end;
    bool ok = false;
    for (size_t i = 0; i < t.labels.size(); ++i) {
      const PiiMatch& l = t.labels[i];
      if (l.kind == m->kind && m->begin < l.end && l.begin < m->end && !hit[i]) {
        hit[i] = ok = true;
        if (l.begin == m->begin && l.end == m->end) ++counts[static_cast<int>(l.kind)].exact;
        break;
      }
    }
    Counts& c = counts[static_cast<int>(m->kind)];
    ok ? ++c.tp : ++c.fp;
  }
  for (size_t i = 0; i < t.labels.size(); ++i) {
    ++counts[static_cast<int>(t.labels[i].kind)].labels;
    if (!hit[i]) ++counts[static_cast<int>(t.labels[i].kind)].fn;
  }
}

// Nanoseconds per KB of one redact_pii pass over `texts`, best of `reps`.
double ns_per_kb(const std::vector<std::string>& texts, int reps, size_t* found) {
  size_t bytes = 0;
  for (const auto& s : texts) bytes += s.size();
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    size_t n = 0;
    std::string out;
    const double t0 = cpu_ms();
    for (const auto& s : texts) n += iccache::redact_pii(s, &out) ? 1 : 0;
    best = std::min(best, cpu_ms() - t0);
    *found = n;
  }
  return best * 1e6 / (bytes / 1024.0);
}

double regex_ns_per_kb(const std::vector<std::string>& texts, const std::regex& re) {
  size_t bytes = 0, n = 0;
  for (const auto& s : texts) bytes += s.size();
  const double t0 = cpu_ms();
  for (const auto& s : texts) n += std::regex_search(s, re) ? 1 : 0;
  const double ms = cpu_ms() - t0;
  if (n == static_cast<size_t>(-1)) std::puts("");  // keep the result alive
  return ms * 1e6 / (bytes / 1024.0);
}

// CPU milliseconds to insert the pairs into a fresh table with the given pii option, one
// transaction, file database in WAL mode (what a serving process does per admission).
double insert_ms(const std::vector<bench::Pair>& pairs, const char* pii) {
  const std::string path = "/tmp/iccache_privacy_bench.db";
  sqlite3* db = bench::open_fresh(path, {ICCACHE_EXT_PATH});
  bench::exec(db, "PRAGMA journal_mode = WAL");
  bench::exec(db, std::string("CREATE VIRTUAL TABLE ex USING iccache(pii=") + pii + ")");
  sqlite3_stmt* s = bench::prepare(db, "INSERT INTO ex(request, response) VALUES(?, ?)");
  const double t0 = cpu_ms();
  bench::exec(db, "BEGIN");
  for (const auto& p : pairs) {
    sqlite3_bind_text(s, 1, p.q.data(), static_cast<int>(p.q.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 2, p.a.data(), static_cast<int>(p.a.size()), SQLITE_STATIC);
    bench::must(db, sqlite3_step(s), "insert");
    sqlite3_reset(s);
  }
  bench::exec(db, "COMMIT");
  const double ms = cpu_ms() - t0;
  sqlite3_finalize(s);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const int per_kind = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int inserts = argc > 2 ? std::atoi(argv[2]) : 2000;

  sqlite3* mem = nullptr;
  sqlite3_open(":memory:", &mem);
  std::vector<bench::Pair> sample = bench::load_sample(mem);
  sqlite3_close(mem);

  // ---- precision and recall ----
  bench::PiiCorpus corpus(18);
  std::vector<bench::LabelledText> texts;
  for (int k = 0; k < iccache::kPiiKindCount; ++k)
    for (int i = 0; i < per_kind; ++i) texts.push_back(corpus.positive(static_cast<PiiKind>(k)));
  for (int i = 0; i < per_kind; ++i) texts.push_back(corpus.hard_negative());
  for (const auto& p : sample) {
    texts.push_back({p.q, {}});
    texts.push_back({p.a, {}});
  }
  Counts counts[iccache::kPiiKindCount];
  for (const auto& t : texts) evaluate(t, counts);
  std::printf("labelled corpus: %d positives per kind, %d hard negatives, %zu GSM8K texts (seed 18)\n",
              per_kind, per_kind, sample.size() * 2);
  std::printf("%-7s %7s %7s %5s %5s %9s %7s %7s\n", "kind", "labels", "TP", "FP", "FN", "precision",
              "recall", "exact");
  for (int k = 0; k < iccache::kPiiKindCount; ++k) {
    const Counts& c = counts[k];
    const double p = c.tp + c.fp ? double(c.tp) / (c.tp + c.fp) : 1;
    const double r = c.labels ? double(c.tp) / c.labels : 1;
    std::printf("%-7s %7ld %7ld %5ld %5ld %9.4f %7.4f %7.4f\n",
                std::string(iccache::pii_kind_id(static_cast<PiiKind>(k))).c_str(), c.labels, c.tp,
                c.fp, c.fn, p, r, c.tp ? double(c.exact) / c.tp : 0);
  }

  // ---- speed ----
  std::vector<std::string> clean, dense;
  size_t clean_bytes = 0;
  for (const auto& p : sample) {
    clean.push_back(p.q);
    clean.push_back(p.a);
    clean_bytes += p.q.size() + p.a.size();
  }
  for (size_t i = 0; i < 6u * per_kind; ++i) dense.push_back(texts[i].text);
  size_t found = 0;
  const double clean_ns = ns_per_kb(clean, 5, &found);
  std::printf("\nscan, clean text (GSM8K, %.0f KB): %.0f ns/KB (%.0f MB/s), %zu texts changed\n",
              clean_bytes / 1024.0, clean_ns, 1e9 / clean_ns / 1024.0, found);
  const double dense_ns = ns_per_kb(dense, 5, &found);
  std::printf("scan + redact, dense text (one item per text): %.0f ns/KB (%.0f MB/s), %zu texts changed\n",
              dense_ns, 1e9 / dense_ns / 1024.0, found);
  const std::regex email_re(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  const std::regex card_re(R"(\b\d(?:[ -]?\d){12,18}\b)");
  std::printf("std::regex on clean text, one pattern each: e-mail %.0f ns/KB, card %.0f ns/KB\n",
              regex_ns_per_kb(clean, email_re), regex_ns_per_kb(clean, card_re));

  // ---- share of insert time ----
  std::vector<bench::Pair> pairs(sample.begin(), sample.begin() + std::min<size_t>(inserts, sample.size()));
  double off = 1e300, redact = 1e300;
  for (int r = 0; r < 3; ++r) {  // alternate, keep the best of each (a loaded machine is noisy)
    off = std::min(off, insert_ms(pairs, "off"));
    redact = std::min(redact, insert_ms(pairs, "redact"));
  }
  size_t pair_bytes = 0;
  for (const auto& p : pairs) pair_bytes += p.q.size() + p.a.size();
  const double scan_ms = clean_ns * (pair_bytes / 1024.0) / 1e6;
  std::printf("\ninsert %zu GSM8K pairs (%.0f B each, one transaction, WAL file, CPU time): pii=off %.1f ms"
              " (%.1f us/insert), pii=redact %.1f ms (%.1f us/insert)\n",
              pairs.size(), double(pair_bytes) / pairs.size(), off, off * 1e3 / pairs.size(), redact,
              redact * 1e3 / pairs.size());
  std::printf("scan cost of those texts: %.2f ms = %.2f%% of insert time (measured difference %.2f%%)\n",
              scan_ms, 100 * scan_ms / off, 100 * (redact - off) / off);
  return 0;
}
