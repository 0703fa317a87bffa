#include "select/mmr.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <unordered_map>

namespace iccache::select {

std::vector<size_t> mmr_order(std::span<const double> relevance,
                              const std::function<double(size_t, size_t)>& similarity, size_t k,
                              double diversity) {
  const size_t n = relevance.size();
  k = std::min(k, n);
  std::vector<size_t> picked;
  picked.reserve(k);
  // Most similar picked example per candidate, updated with each new pick: O(n k) cosines.
  std::vector<double> closest(n, -std::numeric_limits<double>::infinity());
  std::vector<char> used(n, 0);
  while (picked.size() < k) {
    size_t best = n;
    double best_score = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < n; ++i) {
      if (used[i]) continue;
      const double penalty = picked.empty() ? 0.0 : closest[i];
      const double score = (1 - diversity) * relevance[i] - diversity * penalty;
      if (best == n || score > best_score) best = i, best_score = score;
    }
    used[best] = 1;
    picked.push_back(best);
    if (picked.size() == k) break;
    for (size_t i = 0; i < n; ++i)
      if (!used[i]) closest[i] = std::max(closest[i], similarity(i, best));
  }
  return picked;
}

double unit_cosine(const float* a, const float* b, size_t dim) {
  double s = 0;
  for (size_t i = 0; i < dim; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

std::function<double(int64_t, int64_t)> cached_cosine(std::function<std::vector<float>(int64_t)> read, size_t dim) {
  auto vectors = std::make_shared<std::unordered_map<int64_t, std::vector<float>>>();
  auto vector_of = [vectors, read = std::move(read)](int64_t id) -> const std::vector<float>& {
    auto it = vectors->find(id);
    if (it == vectors->end()) it = vectors->emplace(id, read(id)).first;
    return it->second;
  };
  return [vector_of, dim](int64_t a, int64_t b) {
    const std::vector<float>& va = vector_of(a);  // a reference stays valid across inserts
    return unit_cosine(va.data(), vector_of(b).data(), dim);
  };
}

}  // namespace iccache::select
