#include "lexical/lexical_index.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace iccache::lexical {

namespace {
constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();
// A list in score-at-a-time order: weight descending, then slot (a fixed order, so the
// same contents give the same reads).
// The first `sorted` are in that order already (the flat part's list; renumbering keeps
// slots in order), the rest (recent additions) are sorted and merged in.
void sort_by_weight(uint32_t* slots, float* w, uint32_t n, uint32_t sorted,
                    std::vector<std::pair<float, uint32_t>>& order) {
  if (n < 2 || sorted == n) return;
  order.resize(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = {w[i], slots[i]};
  auto before = [](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::sort(order.begin() + sorted, order.end(), before);
  std::inplace_merge(order.begin(), order.begin() + sorted, order.end(), before);
  for (uint32_t i = 0; i < n; ++i) {
    w[i] = order[i].first;
    slots[i] = order[i].second;
  }
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
             dead_.capacity() + fwd_begin_.capacity() * sizeof(uint32_t) +
             fwd_.capacity() * sizeof(Fwd) + idf_->memory_bytes();
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

void LexicalIndex::add(int64_t id, std::string_view tenant, const std::vector<Term>& given) {
  remove(id);
  // The forward index keeps a document's terms in increasing order (the featurizer's).
  const bool in_order = std::is_sorted(given.begin(), given.end(), [](const Term& a, const Term& b) { return a.term < b.term; });
  std::vector<Term> copy;
  if (!in_order) {
    copy = given;
    std::sort(copy.begin(), copy.end(), [](const Term& a, const Term& b) { return a.term < b.term; });
  }
  const std::vector<Term>& terms = in_order ? given : copy;
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
    fwd_.push_back(Fwd{terms[i].term, w});
  }
  fwd_begin_.push_back(static_cast<uint32_t>(fwd_.size()));
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
    size_t f = 0;
    for (size_t s = 0; s < slot_id_.size(); ++s) {
      if (dead_[s]) continue;
      renumber[s] = next;
      slot_id_[next] = slot_id_[s];
      slot_tenant_[next] = slot_tenant_[s];
      ids_[slot_id_[next]] = next;
      const uint32_t b = fwd_begin_[s], e = fwd_begin_[s + 1];
      fwd_begin_[next] = static_cast<uint32_t>(f);
      for (uint32_t p = b; p < e; ++p, ++f) fwd_[f] = fwd_[p];
      ++next;
    }
    fwd_begin_[next] = static_cast<uint32_t>(f);
    fwd_begin_.resize(next + 1);
    fwd_.resize(f);
    fwd_begin_.shrink_to_fit();
    fwd_.shrink_to_fit();
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
  std::vector<std::pair<float, uint32_t>> order;
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
    const auto sorted = static_cast<uint32_t>(slots.size()) - t.begin;
    if (j < recent_keys.size() && recent_keys[j] == term) {
      const Recent& r = recent_.at(recent_keys[j++]);
      for (size_t p = 0; p < r.slots.size(); ++p) append(r.slots[p], r.w[p]);
    }
    t.count = static_cast<uint32_t>(slots.size()) - t.begin;
    if (t.count == 0) continue;  // every document of the term was removed
    sort_by_weight(slots.data() + t.begin, w.data() + t.begin, t.count, sorted, order);
    t.max_w = w[t.begin];
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

}  // namespace iccache::lexical
