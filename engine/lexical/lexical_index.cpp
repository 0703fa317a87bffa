#include "lexical/lexical_index.h"

#include <algorithm>
#include <cmath>

namespace iccache::lexical {

namespace {

// Per-thread search scratch: one accumulator per slot, zeroed again after each search
// (only the slots touched), so a search allocates nothing once warm.
struct Scratch {
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
  size_t b = lists_.capacity() * sizeof(List) + term_list_.size() * 32 + ids_.size() * 32 +
             slot_id_.capacity() * (sizeof(int64_t) + sizeof(int32_t) + 1) + idf_->memory_bytes();
  for (const List& l : lists_) b += l.slots.capacity() * sizeof(uint32_t) + l.w.capacity() * sizeof(float);
  return b;
}

uint32_t LexicalIndex::list_of(uint32_t term) {
  auto [it, fresh] = term_list_.emplace(term, static_cast<uint32_t>(lists_.size()));
  if (fresh) {
    lists_.emplace_back();
    lists_.back().idf = idf_->idf(term);
  }
  return it->second;
}

const LexicalIndex::List* LexicalIndex::find(uint32_t term) const {
  auto it = term_list_.find(term);
  return it == term_list_.end() ? nullptr : &lists_[it->second];
}

void LexicalIndex::add(int64_t id, std::string_view tenant, const std::vector<Term>& terms) {
  remove(id);
  const auto slot = static_cast<uint32_t>(slot_id_.size());
  scratch_lists_.clear();
  double sum_sq = 0.0;
  for (const Term& t : terms) {
    const uint32_t l = list_of(t.term);
    scratch_lists_.push_back(l);
    const double x = static_cast<double>(t.tf) * lists_[l].idf;
    sum_sq += x * x;
  }
  const double norm = std::sqrt(sum_sq);
  for (size_t i = 0; i < terms.size(); ++i) {
    List& l = lists_[scratch_lists_[i]];
    const auto w = static_cast<float>(static_cast<double>(terms[i].tf) * l.idf / norm);
    if (!(w > 0.0f)) continue;  // adds nothing to any score
    l.slots.push_back(slot);
    l.w.push_back(w);
    l.max_w = std::max(l.max_w, w);
    ++postings_;
  }
  slot_id_.push_back(id);
  slot_tenant_.push_back(tenants_.intern(tenant));
  dead_.push_back(0);
  ids_.emplace(id, slot);
}

bool LexicalIndex::remove(int64_t id) {
  auto it = ids_.find(id);
  if (it == ids_.end()) return false;
  dead_[it->second] = 1;
  ++n_dead_;
  ids_.erase(it);
  // Postings of removed documents are skipped by searches and dropped in bulk.
  if (n_dead_ > std::max<size_t>(1024, ids_.size() / 4)) compact();
  return true;
}

void LexicalIndex::compact() {
  std::vector<uint32_t> renumber(slot_id_.size(), UINT32_MAX);
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
  dead_.assign(next, 0);
  n_dead_ = 0;
  postings_ = 0;
  for (List& l : lists_) {
    size_t w = 0;
    float max_w = 0;
    for (size_t i = 0; i < l.slots.size(); ++i) {
      const uint32_t s = renumber[l.slots[i]];
      if (s == UINT32_MAX) continue;
      l.slots[w] = s;  // renumbering keeps the order: lists stay increasing
      l.w[w] = l.w[i];
      max_w = std::max(max_w, l.w[i]);
      ++w;
    }
    l.slots.resize(w);
    l.w.resize(w);
    l.max_w = max_w;
    postings_ += w;
  }
}

std::vector<index::Hit> LexicalIndex::search(const std::vector<Term>& query, int k, const std::string* tenant,
                                      int min_lists, Stats* stats, const std::unordered_set<int64_t>* skip) const {
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
  struct QTerm {
    const List* list;
    float q;   // normalised query weight: contribution = q * stored weight
    float ub;  // q * the list's largest weight
    uint32_t term;
  };
  std::vector<QTerm> qs;
  double sum_sq = 0.0;
  for (const Term& t : query) {
    const List* l = find(t.term);
    const double x = static_cast<double>(t.tf) * (l ? l->idf : idf_->idf(t.term));
    sum_sq += x * x;
    if (l && !l->slots.empty()) qs.push_back(QTerm{l, static_cast<float>(x), 0.0f, t.term});
  }
  const double qnorm = std::sqrt(sum_sq);
  for (QTerm& q : qs) {
    q.q = static_cast<float>(q.q / qnorm);
    q.ub = q.q * q.list->max_w;
  }
  std::sort(qs.begin(), qs.end(), [](const QTerm& a, const QTerm& b) {
    return a.ub > b.ub || (a.ub == b.ub && a.term < b.term);
  });
  const size_t L = qs.size();
  // rem[j]: the most lists j.. can add, with a margin for float rounding.
  std::vector<double> rem(L + 1, 0.0);
  for (size_t j = L; j-- > 0;) rem[j] = rem[j + 1] + qs[j].ub;
  for (double& r : rem) r = r * (1.0 + 1e-5) + 1e-7;

  thread_local Scratch sc;
  sc.fit(slot_id_.size());
  sc.touched.clear();
  sc.heap.clear();
  const size_t kk = static_cast<size_t>(k);
  auto theta = [&]() { return sc.heap.size() >= kk ? sc.heap.front().first : -1.0f; };

  size_t j = 0;
  size_t postings_read = 0;
  for (; j < L; ++j) {
    if (static_cast<int>(j) >= min_lists && sc.heap.size() >= kk && rem[j] < theta()) break;
    const List& l = *qs[j].list;
    const float q = qs[j].q;
    float th = theta();
    postings_read += l.slots.size();
    for (size_t p = 0; p < l.slots.size(); ++p) {
      const uint32_t s = l.slots[p];
      uint8_t& st = sc.state[s];
      if (!(st & 1)) {
        st |= 1;
        sc.touched.push_back(s);
      }
      const float a = (sc.acc[s] += q * l.w[p]);
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
      const List& l = *qs[r].list;
      const float q = qs[r].q;
      if (sc.candidates.size() * 16 < l.slots.size()) {
        // Few candidates against a long list: look each one up.
        auto from = l.slots.begin();
        for (uint32_t s : sc.candidates) {
          from = std::lower_bound(from, l.slots.end(), s);
          if (from == l.slots.end()) break;
          if (*from == s) sc.acc[s] += q * l.w[from - l.slots.begin()];
        }
      } else {
        // Else one pass over the list, adding to the marked candidates only.
        for (size_t p = 0; p < l.slots.size(); ++p)
          if (sc.state[l.slots[p]] & 4) sc.acc[l.slots[p]] += q * l.w[p];
      }
      // Drop those that can no longer reach the k-th score.
      const float bound = th;
      const double left = rem[r + 1];
      sc.candidates.erase(std::remove_if(sc.candidates.begin(), sc.candidates.end(),
                                         [&](uint32_t s) {
                                           if (sc.acc[s] + left >= bound) return false;
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
    std::vector<int64_t> rest;
    for (uint32_t s = 0; s < slot_id_.size(); ++s)
      if (!(sc.state[s] & 1) && eligible(s)) rest.push_back(slot_id_[s]);
    // (Only after reading every list can fewer than k be kept, and then every touched
    // eligible document is in `out` already.)
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
