#include "index/ivf_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "index/kmeans.h"

namespace iccache::index {

int64_t ivf_list_count(int64_t n) {
  return std::max<int64_t>(1, std::llround(std::sqrt(static_cast<double>(n))));
}

IvfTraining train_ivf(const TrainingSet& set, int dim, bool sq8, uint64_t seed,
                      const TrainingProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto report = [&](std::string_view phase, double share) {
    if (progress) progress(phase, share);
  };
  const size_t n = set.size();
  IvfTraining out(dim, sq8);
  report("kmeans", 0.0);
  auto t0 = Clock::now();
  // K = round(sqrt(N)) lists, trained on the distinct vectors (kmeans.h), and never more
  // lists than distinct vectors (equal vectors always share a list).
  const std::vector<float> distinct = distinct_vectors(set.data.data(), n, dim);
  const size_t n_distinct = distinct.size() / dim;
  const int k = static_cast<int>(std::min<int64_t>(ivf_list_count(static_cast<int64_t>(n)),
                                                    static_cast<int64_t>(n_distinct)));
  KmeansParams params;
  params.seed = seed;
  out.centroids = train_centroids(distinct.data(), n_distinct, dim, k, params);
  out.kmeans_s = seconds(t0);
  report("assigning", 0.6);
  t0 = Clock::now();
  out.lists = assign_to_centroids(out.centroids.data(), k, set.data.data(), n, dim);
  if (sq8) {
    // The quantizer's per-dimension ranges from an evenly spaced sample of at most 64k.
    const size_t step = std::max<size_t>(1, n / 65536);
    std::vector<float> sample;
    for (size_t i = 0; i < n; i += step)
      sample.insert(sample.end(), &set.data[i * dim], &set.data[i * dim] + dim);
    out.ranges = train_sq8(sample.data(), sample.size() / dim, dim);
  }
  out.assign_s = seconds(t0);
  report("building", 0.75);
  t0 = Clock::now();
  out.index.set_training(out.centroids, out.ranges);
  std::vector<uint8_t> code(sq8 ? dim : 0);
  for (size_t i = 0; i < n; ++i) {
    const float* v = &set.data[i * dim];
    if (sq8) out.index.encode(v, code.data());
    out.index.add(set.ids[i], out.lists[i], set.tenants[i], v, sq8 ? code.data() : nullptr);
  }
  out.build_s = seconds(t0);
  report("tuning", 0.8);
  t0 = Clock::now();
  out.tuning = tune_nprobe(out.index, set.data.data(), set.ids.data(), n);
  out.tune_s = seconds(t0);
  report("tuning", 0.9);
  return out;
}

}  // namespace iccache::index
