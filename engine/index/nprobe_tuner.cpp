#include "index/nprobe_tuner.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "index/topk.h"

namespace iccache::index {

NprobeTuning tune_nprobe(const IvfIndex& ivf, const float* data, const int64_t* ids, size_t n,
                         int k, double target, int samples) {
  const int dim = ivf.dim(), nl = ivf.nlist();
  if (n < 2 || nl <= 1) return {1, 1.0};
  const size_t m = std::min<size_t>(samples, n);
  const size_t step = n / m;
  // Exact truth, excluding self, a block of queries at a time (one matrix product each, and
  // a bounded score buffer: 16 x N floats).
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajor> all(data, static_cast<Eigen::Index>(n), dim);
  RowMajor queries(static_cast<Eigen::Index>(m), dim);
  for (size_t j = 0; j < m; ++j) queries.row(j) = all.row(static_cast<Eigen::Index>(j * step));
  std::vector<std::set<int64_t>> truth(m);
  constexpr size_t kBlock = 16;
  RowMajor scores;
  for (size_t b = 0; b < m; b += kBlock) {
    const size_t rows = std::min(kBlock, m - b);
    scores.noalias() = queries.middleRows(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(rows)) * all.transpose();
    for (size_t r = 0; r < rows; ++r) {
      const size_t j = b + r;
      TopK top(static_cast<size_t>(k));
      for (size_t i = 0; i < n; ++i)
        if (i != j * step) top.push(ids[i], scores(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(i)));
      for (const Hit& h : top.take_sorted()) truth[j].insert(h.id);
    }
  }
  std::unordered_map<int64_t, size_t> row_of;
  row_of.reserve(n);
  for (size_t i = 0; i < n; ++i) row_of.emplace(ids[i], i);
  auto fetch = [&](const std::vector<int64_t>& want, float* out) {
    for (size_t i = 0; i < want.size(); ++i)
      std::memcpy(out + i * dim, data + row_of.at(want[i]) * dim, sizeof(float) * dim);
  };
  auto recall_at = [&](int nprobe) {
    size_t hit = 0, total = 0;
    for (size_t j = 0; j < m; ++j) {
      const int64_t self = ids[j * step];
      for (const Hit& h : ivf.search(queries.row(j).data(), k + 1, nullptr, nprobe, fetch))
        if (h.id != self) hit += truth[j].count(h.id);
      total += truth[j].size();
    }
    return total ? double(hit) / total : 1.0;
  };
  // Recall grows with nprobe: double until the target is met, then bisect down.
  int hi = 1;
  double r = recall_at(hi);
  while (r < target && hi < nl) {
    hi = std::min(nl, hi * 2);
    r = recall_at(hi);
  }
  if (r < target) return {nl, r};
  int lo = hi / 2;  // recall_at(lo) < target (or lo == 0)
  while (hi - lo > 1) {
    int mid = (lo + hi) / 2;
    double rm = recall_at(mid);
    if (rm >= target) {
      hi = mid;
      r = rm;
    } else {
      lo = mid;
    }
  }
  return {hi, r};
}

}  // namespace iccache::index
