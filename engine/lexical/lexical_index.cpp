#include "lexical/lexical_index.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace iccache::lexical {

namespace {

constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();

// A float sum of non-negative terms can pass the exact sum of its terms by rounding: every
// bound compared with a score gets this margin, so pruning never drops a document whose
// computed score would have entered.
double safe(double bound) { return bound * (1.0 + 1e-5) + 1e-7; }

// One term's postings: the flat part's range, then the recent list (whose slots are all
// larger than the flat part's).
struct Cursor {
  const uint32_t* s = nullptr;
  const float* w = nullptr;
  uint32_t n = 0;
  const uint32_t* rs = nullptr;
  const float* rw = nullptr;
  uint32_t rn = 0;
  // The weight of slot d in this list, 0 when absent.
  float find(uint32_t d) const {
    if (n > 0 && d <= s[n - 1]) {
      const uint32_t* p = std::lower_bound(s, s + n, d);
      return *p == d ? w[p - s] : 0.0f;
    }
    const uint32_t* p = std::lower_bound(rs, rs + rn, d);
    return p != rs + rn && *p == d ? rw[p - rs] : 0.0f;
  }
};

struct QList {
  Cursor c;
  uint32_t term = 0;
  double x = 0;    // tf x idf, before normalising
  float q = 0;     // normalised query weight: contribution = q * stored weight
  double ub = 0;   // q * the list's largest weight
};

// Per-thread search scratch: one accumulator per slot, zeroed again after each search
// (only the slots touched), so a warm search allocates (almost) nothing.
struct Scratch {
  std::vector<QList> lists;
  std::vector<double> prefix;
  std::vector<float> acc;
  std::vector<uint8_t> state;  // bit 0: touched, 1: in the threshold heap, 2: candidate
  std::vector<uint32_t> touched;
  std::vector<std::pair<float, uint32_t>> heap;  // k best partial scores (min at front)
  std::vector<uint32_t> candidates;
  void fit(size_t n) {
    if (acc.size() < n) {
      acc.resize(n, 0.0f);
      state.resize(n, 0);
    }
  }
};

bool heap_less(const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
  return a.first > b.first;  // std heap with the smallest score at the front
}
}  // namespace

LexicalIndex::LexicalIndex(IdfTable idf) : idf_(std::make_shared<const IdfTable>(std::move(idf))) {}
LexicalIndex::LexicalIndex(std::shared_ptr<const IdfTable> idf)
    : idf_(idf ? std::move(idf) : std::make_shared<const IdfTable>()) {}

size_t LexicalIndex::memory_bytes() const {
  // Hash-map entries counted at 40 bytes (node + allocator overhead) plus 8 per bucket.
  size_t b = term_keys_.capacity() * sizeof(uint32_t) + term_info_.capacity() * sizeof(TermInfo) +
             slots_.capacity() * sizeof(uint32_t) + w_.capacity() * sizeof(float) +
             recent_.size() * (40 + sizeof(Recent)) +
             recent_.bucket_count() * 8 + ids_.size() * 40 + ids_.bucket_count() * 8 +
             slot_id_.capacity() * sizeof(int64_t) + slot_tenant_.capacity() * sizeof(int32_t) +
             dead_.capacity() + idf_->memory_bytes();
  for (const auto& [term, r] : recent_) b += r.slots.capacity() * sizeof(uint32_t) + r.w.capacity() * sizeof(float);
  return b;
}

const LexicalIndex::TermInfo* LexicalIndex::find_flat(uint32_t term) const {
  auto it = std::lower_bound(term_keys_.begin(), term_keys_.end(), term);
  return it != term_keys_.end() && *it == term ? &term_info_[it - term_keys_.begin()] : nullptr;
}

const LexicalIndex::Recent* LexicalIndex::find_recent(uint32_t term) const {
  auto it = recent_.find(term);
  return it == recent_.end() ? nullptr : &it->second;
}

void LexicalIndex::add(int64_t id, std::string_view tenant, const std::vector<Term>& terms) {
  remove(id);
  const auto slot = static_cast<uint32_t>(slot_id_.size());
  scratch_recent_.clear();
  double sum_sq = 0.0;
  for (const Term& t : terms) {
    auto [it, fresh] = recent_.try_emplace(t.term);
    if (fresh) {
      it->second.idf = idf_->idf(t.term);
      if (!find_flat(t.term)) ++recent_only_terms_;
    }
    scratch_recent_.push_back(&it->second);
    const double x = static_cast<double>(t.tf) * it->second.idf;
    sum_sq += x * x;
  }
  const double norm = std::sqrt(sum_sq);
  for (size_t i = 0; i < terms.size(); ++i) {
    Recent& r = *scratch_recent_[i];
    const auto w = static_cast<float>(static_cast<double>(terms[i].tf) * r.idf / norm);
    if (!(w > 0.0f)) continue;  // adds nothing to any score
    r.slots.push_back(slot);
    r.w.push_back(w);
    r.max_w = std::max(r.max_w, w);
    ++recent_postings_;
    ++postings_;
  }
  slot_id_.push_back(id);
  slot_tenant_.push_back(tenants_.intern(tenant));
  dead_.push_back(0);
  ids_.emplace(id, slot);
  // An eighth of the flat part: each posting is copied about eight times over its life,
  // and the per-term lists never hold much.
  if (!hold_merges_ && recent_postings_ > std::max<size_t>(1 << 14, slots_.size() / 8)) merge();
}

bool LexicalIndex::remove(int64_t id) {
  auto it = ids_.find(id);
  if (it == ids_.end()) return false;
  dead_[it->second] = 1;
  ++n_dead_;
  ids_.erase(it);
  // Postings of removed documents are skipped by searches and dropped in bulk.
  if (!hold_merges_ && n_dead_ > std::max<size_t>(1024, ids_.size() / 4)) merge();
  return true;
}

void LexicalIndex::hold_merges(bool on) {
  hold_merges_ = on;
  if (!on && (recent_postings_ > 0 || n_dead_ > 0)) merge();
}

void LexicalIndex::merge() {
  // Renumber the live documents (slots stay in the same order, so lists stay sorted).
  std::vector<uint32_t> renumber;
  if (n_dead_ > 0) {
    renumber.assign(slot_id_.size(), kEnd);
    uint32_t next = 0;
    for (size_t s = 0; s < slot_id_.size(); ++s) {
      if (dead_[s]) continue;
      renumber[s] = next;
      slot_id_[next] = slot_id_[s];
      slot_tenant_[next] = slot_tenant_[s];
      ids_[slot_id_[next]] = next;
      ++next;
    }
    slot_id_.resize(next);
    slot_tenant_.resize(next);
    slot_id_.shrink_to_fit();
    slot_tenant_.shrink_to_fit();
    dead_.assign(next, 0);
    dead_.shrink_to_fit();
    n_dead_ = 0;
  }
  std::vector<uint32_t> recent_keys;
  recent_keys.reserve(recent_.size());
  for (const auto& [term, r] : recent_) recent_keys.push_back(term);
  std::sort(recent_keys.begin(), recent_keys.end());

  std::vector<uint32_t> keys, slots;
  std::vector<TermInfo> info;
  std::vector<float> w;
  keys.reserve(term_keys_.size() + recent_only_terms_);
  info.reserve(term_keys_.size() + recent_only_terms_);
  slots.reserve(postings_);
  w.reserve(postings_);
  auto append = [&](uint32_t s, float x) {
    const uint32_t r = renumber.empty() ? s : renumber[s];
    if (r == kEnd) return;
    slots.push_back(r);
    w.push_back(x);
  };
  size_t i = 0, j = 0;
  while (i < term_keys_.size() || j < recent_keys.size()) {
    const uint32_t term = j == recent_keys.size() || (i < term_keys_.size() && term_keys_[i] <= recent_keys[j])
                              ? term_keys_[i]
                              : recent_keys[j];
    TermInfo t;
    t.begin = static_cast<uint32_t>(slots.size());
    if (i < term_keys_.size() && term_keys_[i] == term) {
      const TermInfo& old = term_info_[i++];
      for (uint32_t p = old.begin; p < old.begin + old.count; ++p) append(slots_[p], w_[p]);
    }
    if (j < recent_keys.size() && recent_keys[j] == term) {
      const Recent& r = recent_.at(recent_keys[j++]);
      for (size_t p = 0; p < r.slots.size(); ++p) append(r.slots[p], r.w[p]);
    }
    t.count = static_cast<uint32_t>(slots.size()) - t.begin;
    if (t.count == 0) continue;  // every document of the term was removed
    t.max_w = *std::max_element(w.begin() + t.begin, w.end());
    keys.push_back(term);
    info.push_back(t);
  }
  term_keys_ = std::move(keys);
  term_info_ = std::move(info);
  slots_ = std::move(slots);
  w_ = std::move(w);
  term_keys_.shrink_to_fit();
  term_info_.shrink_to_fit();
  recent_.clear();
  recent_.rehash(0);
  recent_postings_ = 0;
  recent_only_terms_ = 0;
  postings_ = slots_.size();
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
  thread_local Scratch sc;
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
      l.c.s = slots_.data() + f->begin;
      l.c.w = w_.data() + f->begin;
      l.c.n = f->count;
      max_w = f->max_w;
    }
    if (r && !r->slots.empty()) {
      l.c.rs = r->slots.data();
      l.c.rw = r->w.data();
      l.c.rn = static_cast<uint32_t>(r->slots.size());
      max_w = std::max(max_w, r->max_w);
    }
    if (l.c.n + l.c.rn == 0) continue;
    l.ub = max_w;
    qs.push_back(l);
  }
  const double qnorm = std::sqrt(sum_sq);
  for (QList& l : qs) {
    l.q = static_cast<float>(l.x / qnorm);
    l.ub = static_cast<double>(l.q) * l.ub;
  }
  // Lists in decreasing order of what they can add (ties: term): also the order every
  // score is added up in, so a score has the same bits whichever way it was reached.
  std::sort(qs.begin(), qs.end(),
            [](const QList& a, const QList& b) { return a.ub > b.ub || (a.ub == b.ub && a.term < b.term); });
  const size_t L = qs.size();
  // rem[j]: the most lists j.. can add, with a margin for float rounding.
  std::vector<double>& rem = sc.prefix;
  rem.assign(L + 1, 0.0);
  for (size_t j = L; j-- > 0;) rem[j] = rem[j + 1] + qs[j].ub;
  for (double& r : rem) r = safe(r);

  sc.fit(slot_id_.size());
  sc.touched.clear();
  sc.heap.clear();
  const size_t kk = static_cast<size_t>(k);
  auto theta = [&]() { return sc.heap.size() >= kk ? sc.heap.front().first : -1.0f; };

  size_t j = 0;
  size_t postings_read = 0;
  for (; j < L; ++j) {
    if (static_cast<int>(j) >= min_lists && rem[j] < theta()) break;
    const Cursor& c = qs[j].c;
    const float q = qs[j].q;
    float th = theta();
    postings_read += c.n + c.rn;
    auto read = [&](const uint32_t* slots, const float* ws, uint32_t n) {
      for (uint32_t p = 0; p < n; ++p) {
        const uint32_t s = slots[p];
        uint8_t& st = sc.state[s];
        if (!(st & 1)) {
          st |= 1;
          sc.touched.push_back(s);
        }
        const float a = (sc.acc[s] += q * ws[p]);
        if (a > th && !(st & 2) && eligible(s)) {
          if (sc.heap.size() >= kk) {
            std::pop_heap(sc.heap.begin(), sc.heap.end(), heap_less);
            sc.state[sc.heap.back().second] &= ~uint8_t{2};
            sc.heap.pop_back();
          }
          st |= 2;
          sc.heap.emplace_back(a, s);
          std::push_heap(sc.heap.begin(), sc.heap.end(), heap_less);
          th = theta();
        }
      }
    };
    read(c.s, c.w, c.n);  // the flat part, then the recent postings (larger slots)
    read(c.rs, c.rw, c.rn);
    // Entries hold the score they had when they came in; refresh them once per list.
    for (auto& e : sc.heap) e.first = sc.acc[e.second];
    std::make_heap(sc.heap.begin(), sc.heap.end(), heap_less);
  }

  // Documents that can still reach the k-th score, finished with the unread lists in the
  // same order (so their sums are bit-identical to a full read).
  sc.candidates.clear();
  const float th = theta();
  for (uint32_t s : sc.touched)
    if (eligible(s) && (j == L || sc.acc[s] + rem[j] >= th)) sc.candidates.push_back(s);
  size_t looked_up = 0;
  if (j < L) {
    std::sort(sc.candidates.begin(), sc.candidates.end());
    for (uint32_t s : sc.candidates) sc.state[s] |= 4;
    looked_up = sc.candidates.size();
    for (size_t r = j; r < L && !sc.candidates.empty(); ++r) {
      const Cursor& c = qs[r].c;
      const float q = qs[r].q;
      if (sc.candidates.size() * 16 < c.n + c.rn) {
        // Few candidates against a long list: look each one up.
        for (uint32_t s : sc.candidates) {
          const float w = c.find(s);
          if (w > 0) sc.acc[s] += q * w;
        }
      } else {
        // Else one pass over the list, adding to the marked candidates only.
        for (uint32_t p = 0; p < c.n; ++p)
          if (sc.state[c.s[p]] & 4) sc.acc[c.s[p]] += q * c.w[p];
        for (uint32_t p = 0; p < c.rn; ++p)
          if (sc.state[c.rs[p]] & 4) sc.acc[c.rs[p]] += q * c.rw[p];
      }
      // Drop those that can no longer reach the k-th score.
      const double left = rem[r + 1];
      sc.candidates.erase(std::remove_if(sc.candidates.begin(), sc.candidates.end(),
                                         [&](uint32_t s) {
                                           if (sc.acc[s] + left >= th) return false;
                                           sc.state[s] &= ~uint8_t{4};
                                           return true;
                                         }),
                          sc.candidates.end());
    }
  }
  std::vector<index::Hit> all;
  all.reserve(sc.candidates.size());
  // A cosine; float rounding can pass 1 by an ulp for identical texts.
  for (uint32_t s : sc.candidates) all.push_back(index::Hit{slot_id_[s], std::min(sc.acc[s], 1.0f)});
  const size_t keep = std::min(kk, all.size());
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), index::better_hit);
  all.resize(keep);
  out = std::move(all);

  if (out.size() < kk) {
    // Fewer than k documents share a term: fill with the others, smallest ids first.
    // (Only after reading every list can fewer than k be kept, and then every touched
    // eligible document is in `out` already.)
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
    stats->lists_read = j;
    stats->lists_total = L;
    stats->postings_read = postings_read;
    stats->candidates = looked_up;
  }
  return out;
}

}  // namespace iccache::lexical
