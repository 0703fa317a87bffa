#include "index/ivf_index.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "common/error.h"
#include "index/topk.h"

namespace iccache::index {

namespace {
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Scores of n row-major vectors against q, one matrix-vector product.
void dot_rows(const float* rows, size_t n, int dim, const float* q, float* out) {
  Eigen::Map<const RowMajor> m(rows, static_cast<Eigen::Index>(n), dim);
  Eigen::Map<const Eigen::VectorXf> qv(q, dim);
  Eigen::Map<Eigen::VectorXf>(out, static_cast<Eigen::Index>(n)).noalias() = m * qv;
}

// Approximate score of an SQ8 code: q . decode(code) = bias + sum(q_scaled[d] * code[d]),
// with decode(c)[d] = vmin[d] + (c + 0.5) / 255 * vdiff[d] (FAISS's QT_8bit convention).
// The loop is the SQ8 hot spot: `omp simd` lets the compiler vectorise the reduction, and
// target_clones builds an AVX2/FMA copy picked at load time on CPUs that have it (Debian
// builds for baseline x86-64).
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
float dot_code(const uint8_t* code, const float* q_scaled, int dim, float bias) {
  float acc = 0;
#pragma omp simd reduction(+ : acc)
  for (int d = 0; d < dim; ++d) acc += q_scaled[d] * static_cast<float>(code[d]);
  return bias + acc;
}
}  // namespace

// Per-thread score buffer: searches of one index run on many threads at once, and a
// buffer per call would allocate on every query.
static std::vector<float>& scratch() {
  thread_local std::vector<float> s;
  return s;
}

int sq8_rerank_count(int k) { return std::max(4 * k, k + 32); }

IvfIndex::IvfIndex(int dim, bool sq8) : dim_(dim), sq8_(sq8), lists_(1) {
  if (dim < 1) throw Error("vector dimension must be at least 1");
}

size_t IvfIndex::memory_bytes() const {
  size_t b = (centroids_.size() + sq8_ranges_.size()) * sizeof(float);
  for (const List& l : lists_)
    b += l.ids.capacity() * 8 + l.tenants.capacity() * 4 + l.vecs.capacity() * 4 + l.codes.capacity();
  b += where_.size() * (sizeof(int64_t) + sizeof(Where) + 2 * sizeof(void*));  // node + bucket
  return b;
}

void IvfIndex::clear() {
  centroids_.clear();
  sq8_ranges_.clear();
  lists_.assign(1, List());
  where_.clear();
  tenants_.clear();
}

void IvfIndex::set_training(std::vector<float> centroids, std::vector<float> sq8_ranges) {
  if (centroids.empty() || centroids.size() % dim_ != 0)
    throw Error("IVF training produced " + std::to_string(centroids.size()) +
                " centroid floats; expected a positive multiple of " + std::to_string(dim_));
  if (sq8_ && sq8_ranges.size() != 2 * static_cast<size_t>(dim_))
    throw Error("SQ8 ranges hold " + std::to_string(sq8_ranges.size()) + " floats; expected " +
                std::to_string(2 * dim_));
  centroids_ = std::move(centroids);
  sq8_ranges_ = sq8_ ? std::move(sq8_ranges) : std::vector<float>();
  lists_.assign(centroids_.size() / dim_, List());
  where_.clear();
}

int IvfIndex::assign(const float* v) const {
  if (!trained()) return 0;
  const int k = nlist();
  std::vector<float>& scores = scratch();
  scores.resize(k);
  dot_rows(centroids_.data(), k, dim_, v, scores.data());
  return static_cast<int>(std::max_element(scores.begin(), scores.begin() + k) - scores.begin());
}

void IvfIndex::encode(const float* v, uint8_t* code) const {
  const float* vmin = sq8_ranges_.data();
  const float* vdiff = vmin + dim_;
  for (int d = 0; d < dim_; ++d) {
    float x = vdiff[d] > 0 ? (v[d] - vmin[d]) / vdiff[d] : 0.0f;
    x = std::clamp(x, 0.0f, 1.0f);
    code[d] = static_cast<uint8_t>(std::min(255.0f, std::floor(255.0f * x)));
  }
}

void IvfIndex::add(int64_t id, int list, std::string_view tenant, const float* vec,
                   const uint8_t* code) {
  if (list < 0 || list >= nlist())
    throw Error("list " + std::to_string(list) + " does not exist; the index has " +
                std::to_string(nlist()) + " lists");
  if (stores_codes() ? code == nullptr : vec == nullptr)
    throw Error(std::string("adding to the index needs ") + (stores_codes() ? "an SQ8 code" : "a vector"));
  remove(id);
  List& l = lists_[list];
  where_.emplace(id, Where{list, static_cast<uint32_t>(l.ids.size())});
  l.ids.push_back(id);
  l.tenants.push_back(tenants_.intern(tenant));
  if (stores_codes())
    l.codes.insert(l.codes.end(), code, code + dim_);
  else
    l.vecs.insert(l.vecs.end(), vec, vec + dim_);
}

bool IvfIndex::remove(int64_t id) {
  auto it = where_.find(id);
  if (it == where_.end()) return false;
  List& l = lists_[it->second.list];
  const size_t pos = it->second.pos, last = l.ids.size() - 1;
  const size_t width = stores_codes() ? dim_ : 0, fwidth = stores_codes() ? 0 : dim_;
  if (pos != last) {  // keep lists dense: the last entry moves into the hole
    l.ids[pos] = l.ids[last];
    l.tenants[pos] = l.tenants[last];
    if (width) std::memcpy(&l.codes[pos * width], &l.codes[last * width], width);
    if (fwidth) std::memcpy(&l.vecs[pos * fwidth], &l.vecs[last * fwidth], fwidth * sizeof(float));
    where_[l.ids[pos]].pos = static_cast<uint32_t>(pos);
  }
  l.ids.pop_back();
  l.tenants.pop_back();
  if (width) l.codes.resize(last * width);
  if (fwidth) l.vecs.resize(last * fwidth);
  where_.erase(it);
  return true;
}

int IvfIndex::list_of(int64_t id) const {
  auto it = where_.find(id);
  return it == where_.end() ? -1 : it->second.list;
}

size_t IvfIndex::scan_list(int li, const float* q, const float* q_scaled, float q_bias,
                           int32_t tenant, const SkipFn& skip, TopK& top) const {
  const List& l = lists_[li];
  const size_t n = l.ids.size();
  if (n == 0) return 0;
  size_t passed = 0;
  if (stores_codes()) {
    for (size_t r = 0; r < n; ++r) {
      if (tenant >= 0 && l.tenants[r] != tenant) continue;
      if (skip && skip(l.ids[r])) continue;
      ++passed;
      top.push(l.ids[r], dot_code(&l.codes[r * dim_], q_scaled, dim_, q_bias));
    }
    return passed;
  }
  std::vector<float>& scores = scratch();
  scores.resize(n);
  dot_rows(l.vecs.data(), n, dim_, q, scores.data());
  for (size_t r = 0; r < n; ++r) {
    if (tenant >= 0 && l.tenants[r] != tenant) continue;
    if (skip && skip(l.ids[r])) continue;
    ++passed;
    top.push(l.ids[r], scores[r]);
  }
  return passed;
}

std::vector<Hit> IvfIndex::search(const float* q, int k, const std::string* tenant, int nprobe,
                                  const FetchFn& fetch, const SkipFn& skip) const {
  if (k < 1) throw Error("k must be at least 1");
  if (nprobe < 1) throw Error("nprobe must be at least 1");
  int32_t want = -1;
  if (tenant) {
    want = tenants_.find(*tenant);
    if (want < 0) return {};
  }
  // Lists in order of centroid score; only the first nprobe (or more, see below) are read.
  const int nl = nlist();
  int sorted = nl;                  // order[0 .. sorted) is in centroid-score order
  std::function<void()> sort_rest;  // sorts the rest of `order` when probing gets there
  std::vector<int> order(nl);
  std::vector<float> cs;  // centroid scores (outlives sort_rest, which reads them)
  for (int i = 0; i < nl; ++i) order[i] = i;
  if (trained() && nprobe < nl) {
    cs.resize(nl);
    dot_rows(centroids_.data(), nl, dim_, q, cs.data());
    auto by_score = [&](int a, int b) { return cs[a] > cs[b] || (cs[a] == cs[b] && a < b); };
    // Probing may need more lists than nprobe (see below): sort a longer prefix, and the
    // rest only when that is not enough.
    const int prefix = std::min(nl, want >= 0 ? 8 * nprobe : 2 * nprobe);
    std::partial_sort(order.begin(), order.begin() + prefix, order.end(), by_score);
    sorted = prefix;
    sort_rest = [&order, by_score, prefix] { std::sort(order.begin() + prefix, order.end(), by_score); };
  }

  // SQ8: fold the quantizer's ranges into the query once.
  std::vector<float> q_scaled;
  float q_bias = 0;
  const bool codes = stores_codes();
  if (codes) {
    if (!fetch) throw Error("an SQ8 search needs the float32 vectors to re-rank with");
    q_scaled.resize(dim_);
    const float* vmin = sq8_ranges_.data();
    const float* vdiff = vmin + dim_;
    for (int d = 0; d < dim_; ++d) {
      q_scaled[d] = q[d] * vdiff[d] / 255.0f;
      q_bias += q[d] * (vmin[d] + 0.5f * vdiff[d] / 255.0f);
    }
  }
  TopK top(codes ? static_cast<size_t>(sq8_rerank_count(k)) : static_cast<size_t>(k));
  // Without a filter, nprobe lists show about nprobe * N / K candidates. A tenant filter
  // shows fewer, so probing goes on until as many of the tenant's rows have been seen (up
  // to 8 x nprobe lists, to bound the cost for tiny tenants). With or without a filter,
  // probing goes on until k candidates have been seen: the nprobe closest lists may hold
  // fewer (small or empty lists, e.g. after training on heavily duplicated data), and a
  // table that holds k rows must return k.
  const size_t eligible_target = static_cast<size_t>(nprobe) * size() / nl;
  const int soft_cap = nprobe > nl / 8 ? nl : 8 * nprobe;
  size_t found = 0;
  for (int i = 0; i < nl; ++i) {
    if (i >= nprobe && found >= static_cast<size_t>(k) &&
        (want < 0 || found >= eligible_target || i >= soft_cap))
      break;
    if (i == sorted && sort_rest) sort_rest();
    found += scan_list(order[i], q, q_scaled.data(), q_bias, want, skip, top);
  }
  std::vector<Hit> hits = top.take_sorted();
  if (!codes) return hits;

  // Re-rank the SQ8 candidates with exact scores from the float32 vectors.
  std::vector<int64_t> ids(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) ids[i] = hits[i].id;
  std::vector<float> vecs(ids.size() * dim_);
  fetch(ids, vecs.data());
  std::vector<float> exact(ids.size());
  dot_rows(vecs.data(), ids.size(), dim_, q, exact.data());
  TopK best(static_cast<size_t>(k));
  for (size_t i = 0; i < ids.size(); ++i) best.push(ids[i], exact[i]);
  return best.take_sorted();
}

}  // namespace iccache::index
