// LexicalIndex::search: score at a time over weight-sorted postings, finished from the
// forward index (lexical_index.h says why and what is exact).
#include <algorithm>
#include <cmath>

#include "lexical/lexical_index.h"

namespace iccache::lexical {

namespace {

// A float sum of non-negative terms can pass the exact sum of its terms by rounding, and a
// partial score summed in another order than the full one can differ from it in its last
// bits: every bound compared with a score gets this margin, so pruning never drops a
// document whose full score would have entered.
double safe(double bound) { return bound * (1.0 + 1e-5) + 1e-7; }

// Postings taken from one list at a time: small enough that the list adding most is
// followed closely, large enough that choosing it costs little per posting.
constexpr uint32_t kBlock = 64;

struct QList {
  const uint32_t* s = nullptr;  // flat part, weight descending
  const float* w = nullptr;
  uint32_t n = 0, pos = 0;
  const uint32_t* rs = nullptr;  // recent part, read whole
  const float* rw = nullptr;
  uint32_t rn = 0;
  uint32_t term = 0;
  double x = 0;   // tf x idf, before normalising
  float q = 0;    // normalised query weight: contribution = q * stored weight
  double ub = 0;  // q * the list's largest weight
  // What the next unread posting of the flat part can add (0 once read to its end).
  double frontier() const { return pos < n ? static_cast<double>(q) * w[pos] : 0.0; }
};

// Per-thread search scratch: one partial score per slot, zeroed again after each search
// (only the slots touched), so a warm search allocates (almost) nothing.
struct Scratch {
  std::vector<QList> lists;
  std::vector<float> acc;
  std::vector<uint8_t> state;  // bit 0: touched, 1: in the pool
  std::vector<uint32_t> touched, pool, candidates;
  std::vector<float> contrib;
  std::vector<std::pair<uint32_t, uint32_t>> by_key;
  void fit(size_t n) {
    if (acc.size() < n) {
      acc.resize(n, 0.0f);
      state.resize(n, 0);
    }
  }
};

}  // namespace

size_t LexicalIndex::budget() const {
  if (!(budget_scale_ > 0)) return 0;
  return std::max(budget_min_, static_cast<size_t>(budget_scale_ * std::sqrt(static_cast<double>(ids_.size()))));
}

float LexicalIndex::full_score(uint32_t slot, const QueryKeys& qk, float* contrib) const {
  // Each of the document's terms that may be the query's is looked up among the query's
  // keys; the matches are added in rank order (a document's absent list adds nothing, and
  // x + 0 is x, so the zeros in between change no bit).
  const Fwd* t = fwd_.data() + fwd_begin_[slot];
  const Fwd* te = fwd_.data() + fwd_begin_[slot + 1];
  const size_t nq = qk.keys.size();
  uint32_t lo = static_cast<uint32_t>(nq), hi = 0;
  for (; t < te; ++t) {
    const uint32_t b = QueryKeys::bit(t->term);
    if (!(qk.bits[b >> 6] >> (b & 63) & 1)) continue;
    const auto it = std::lower_bound(qk.keys.begin(), qk.keys.end(), t->term);
    if (it == qk.keys.end() || *it != t->term) continue;
    const uint32_t r = qk.rank[it - qk.keys.begin()];
    contrib[r] = qk.q[r] * t->w;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  float sum = 0.0f;
  for (uint32_t r = lo; r <= hi && lo < nq; ++r) {
    sum += contrib[r];
    contrib[r] = 0.0f;
  }
  return sum;
}

std::vector<index::Hit> LexicalIndex::search(const std::vector<Term>& query, int k, const std::string* tenant,
                                             int min_lists, Stats* stats,
                                             const std::unordered_set<int64_t>* skip) const {
  std::vector<index::Hit> out;
  if (k <= 0) return out;
  int32_t want_tenant = -1;
  if (tenant) {
    want_tenant = tenants_.find(*tenant);
    if (want_tenant < 0) return out;
  }
  auto eligible = [&](uint32_t s) {
    return !dead_[s] && (want_tenant < 0 || slot_tenant_[s] == want_tenant) && !(skip && skip->count(slot_id_[s]));
  };

  // The query's weights: normalised over all its terms (indexed or not), so a score is the
  // cosine of the two full vectors.
  // Through a plain reference: in a shared library every direct use of a thread_local
  // can cost a call to __tls_get_addr, and the loops below use it per posting.
  thread_local Scratch tls_scratch;
  Scratch& sc = tls_scratch;
  std::vector<QList>& qs = sc.lists;
  qs.clear();
  double sum_sq = 0.0;
  for (const Term& t : query) {
    const double x = static_cast<double>(t.tf) * idf_->idf(t.term);
    sum_sq += x * x;
    const TermInfo* f = find_flat(t.term);
    const Recent* r = find_recent(t.term);
    QList l;
    l.term = t.term;
    l.x = x;
    float max_w = 0;
    if (f) {
      l.s = slots_.data() + f->begin;
      l.w = w_.data() + f->begin;
      l.n = f->count;
      max_w = f->max_w;
    }
    if (r && !r->slots.empty()) {
      l.rs = r->slots.data();
      l.rw = r->w.data();
      l.rn = static_cast<uint32_t>(r->slots.size());
      max_w = std::max(max_w, r->max_w);
    }
    if (l.n + l.rn == 0) continue;
    l.ub = max_w;
    qs.push_back(l);
  }
  const double qnorm = std::sqrt(sum_sq);
  for (QList& l : qs) {
    l.q = static_cast<float>(l.x / qnorm);
    l.ub = static_cast<double>(l.q) * l.ub;
  }
  // Lists in decreasing order of what they can add (ties: term): the order every score is
  // added up in, so a score has the same bits whichever way it was reached.
  std::sort(qs.begin(), qs.end(),
            [](const QList& a, const QList& b) { return a.ub > b.ub || (a.ub == b.ub && a.term < b.term); });
  const size_t L = qs.size();
  const bool exhaustive = static_cast<size_t>(std::max(min_lists, 0)) >= L;

  sc.fit(slot_id_.size());
  sc.touched.clear();
  sc.pool.clear();
  sc.candidates.clear();
  const size_t kk = static_cast<size_t>(k);
  size_t postings_read = 0, lists_read = 0;
  bool budget_hit = false, approximate = false;
  if (exhaustive) {
    // Every list whole, in rank order: the partial sums are the full scores.
    for (QList& l : qs) {
      for (int part = 0; part < 2; ++part) {
        const uint32_t* slots = part ? l.rs : l.s;
        const float* ws = part ? l.rw : l.w;
        const uint32_t n = part ? l.rn : l.n;
        postings_read += n;
        for (uint32_t p = 0; p < n; ++p) {
          const uint32_t s = slots[p];
          if (!(sc.state[s] & 1)) {
            sc.state[s] |= 1;
            sc.touched.push_back(s);
          }
          sc.acc[s] += l.q * ws[p];
        }
      }
      l.pos = l.n;
    }
    lists_read = L;
    for (uint32_t s : sc.touched)
      if (eligible(s)) sc.candidates.push_back(s);
  } else {
    // The pool: eligible documents whose partial score passed `th`, a lower bound of the
    // keep-th best partial score; compacted to the `keep` best when it doubles. theta_k:
    // a lower bound of the k-th best partial score.
    const size_t keep = kRescorePerK * kk + kRescoreExtra;
    float th = -1.0f, theta_k = -1.0f;
    auto by_partial = [&](uint32_t a, uint32_t b) { return sc.acc[a] > sc.acc[b] || (sc.acc[a] == sc.acc[b] && a < b); };
    auto compact = [&]() {
      std::vector<uint32_t>& pool = sc.pool;
      if (pool.size() > keep) {
        std::nth_element(pool.begin(), pool.begin() + (keep - 1), pool.end(), by_partial);
        th = sc.acc[pool[keep - 1]];
        for (size_t i = keep; i < pool.size(); ++i) sc.state[pool[i]] &= ~uint8_t{2};
        pool.resize(keep);
      }
      if (pool.size() >= kk) {
        std::nth_element(pool.begin(), pool.begin() + (kk - 1), pool.end(), by_partial);
        theta_k = sc.acc[pool[kk - 1]];
      }
    };
    auto read = [&](const uint32_t* slots, const float* ws, uint32_t n, float q) {
      postings_read += n;
      for (uint32_t p = 0; p < n; ++p) {
        const uint32_t s = slots[p];
        uint8_t& st = sc.state[s];
        if (!(st & 1)) {
          st |= 1;
          sc.touched.push_back(s);
        }
        const float a = (sc.acc[s] += q * ws[p]);
        if (a > th && !(st & 2) && eligible(s)) {
          st |= 2;
          sc.pool.push_back(s);
        }
      }
    };
    // The first min_lists lists and every recent part whole, then block by block from the
    // list whose next posting adds most, until no unseen document can reach the k-th
    // partial score (exact) or the budget is spent (then only seen documents compete).
    for (size_t j = 0; j < L; ++j) {
      QList& l = qs[j];
      if (j < static_cast<size_t>(std::max(min_lists, 0))) {
        read(l.s, l.w, l.n, l.q);
        l.pos = l.n;
      }
      read(l.rs, l.rw, l.rn, l.q);
    }
    const size_t cap = budget();
    // Exact once no document outside the pool (partial score <= th, or unseen) can reach
    // the k-th partial score with everything unread added.
    double frontier = 0.0;
    auto certified = [&]() { return safe(std::max(0.0, static_cast<double>(th)) + frontier) < theta_k; };
    for (size_t blocks = 0;; ++blocks) {
      double best = 0.0;
      QList* next = nullptr;
      frontier = 0.0;
      for (QList& l : qs) {
        const double f = l.frontier();
        frontier += f;
        if (f > best) best = f, next = &l;
      }
      if (!next) break;  // every list read
      if (sc.pool.size() >= 2 * keep || (blocks & 15) == 0) compact();
      if (sc.pool.size() >= kk) {
        if (certified() && (compact(), certified())) break;
        if (cap > 0 && postings_read >= cap) {
          budget_hit = true;
          break;
        }
      }
      const uint32_t take = std::min(kBlock, next->n - next->pos);
      read(next->s + next->pos, next->w + next->pos, take, next->q);
      next->pos += take;
    }
    compact();
    for (const QList& l : qs) lists_read += l.pos == l.n;
    approximate = budget_hit;
    if (!budget_hit && sc.pool.size() >= kk && !certified()) {
      // Every list was read and partial scores tie across the pool's edge: every document
      // that can tie the k-th competes.
      for (uint32_t s : sc.touched)
        if (!(sc.state[s] & 2) && eligible(s) && safe(sc.acc[s]) >= theta_k) sc.pool.push_back(s);
    }
    sc.candidates.swap(sc.pool);
    // Their full scores, from the forward index in rank order (the bits of a full read).
    thread_local QueryKeys tls_keys;
    QueryKeys& qk = tls_keys;
    qk.keys.clear();
    qk.rank.clear();
    qk.q.clear();
    std::fill(std::begin(qk.bits), std::end(qk.bits), 0);
    std::vector<std::pair<uint32_t, uint32_t>>& by_key = sc.by_key;
    by_key.clear();
    for (size_t j = 0; j < L; ++j) {
      by_key.emplace_back(qs[j].term, static_cast<uint32_t>(j));
      qk.q.push_back(qs[j].q);
      const uint32_t b = QueryKeys::bit(qs[j].term);
      qk.bits[b >> 6] |= uint64_t{1} << (b & 63);
    }
    std::sort(by_key.begin(), by_key.end());
    for (auto [key, rank] : by_key) qk.keys.push_back(key), qk.rank.push_back(rank);
    sc.contrib.assign(L, 0.0f);
    // The candidates' forward entries are scattered over memory: ask for them all first,
    // so the misses overlap instead of coming one after another.
    for (uint32_t s : sc.candidates) __builtin_prefetch(&fwd_begin_[s]);
    for (uint32_t s : sc.candidates) {
      const char* b = reinterpret_cast<const char*>(fwd_.data() + fwd_begin_[s]);
      const char* e = reinterpret_cast<const char*>(fwd_.data() + fwd_begin_[s + 1]);
      for (const char* p = b; p < e && p < b + 512; p += 64) __builtin_prefetch(p);
    }
    for (uint32_t s : sc.candidates)
      sc.acc[s] = full_score(s, qk, sc.contrib.data());
  }
  const size_t rescored = exhaustive ? 0 : sc.candidates.size();

  std::vector<index::Hit> all;
  all.reserve(sc.candidates.size());
  // A cosine; float rounding can pass 1 by an ulp for identical texts.
  for (uint32_t s : sc.candidates) all.push_back(index::Hit{slot_id_[s], std::min(sc.acc[s], 1.0f)});
  sc.candidates.clear();
  const size_t keep = std::min(kk, all.size());
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), index::better_hit);
  all.resize(keep);
  out = std::move(all);

  if (out.size() < kk) {
    // Fewer than k documents share a term: fill with the others, smallest ids first.
    // (Fewer than k are kept only when every list was read: the pool never held k, so the
    // search neither stopped early nor hit the budget.)
    std::vector<int64_t> rest;
    for (uint32_t s = 0; s < slot_id_.size(); ++s)
      if (!(sc.state[s] & 1) && eligible(s)) rest.push_back(slot_id_[s]);
    const size_t more = std::min(kk - out.size(), rest.size());
    std::partial_sort(rest.begin(), rest.begin() + more, rest.end());
    for (size_t i = 0; i < more; ++i) out.push_back(index::Hit{rest[i], 0.0f});
  }
  for (uint32_t s : sc.touched) {
    sc.acc[s] = 0.0f;
    sc.state[s] = 0;
  }
  if (stats) {
    stats->lists_read = lists_read;
    stats->lists_total = L;
    stats->postings_read = postings_read;
    stats->candidates = rescored;
    stats->budget_hit = budget_hit;
    stats->approximate = approximate;
  }
  return out;
}

}  // namespace iccache::lexical
