// Shared by selection tests: Kendall's tau (tests/common/kendall_tau.h) and a seeded synthetic stream where an example's
// true helpfulness depends mostly on its quality and on the model that wrote it (a strong
// model's good answer teaches most), and only a little on similarity.
#pragma once
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "../common/kendall_tau.h"

namespace iccache::select::testing {

using iccache_test::kendall_tau;

// True probability that the example helps: quality counts 4x as much from the large
// model, and similarity adds a little.
inline double true_helpfulness(double quality, bool large, double similarity) {
  return std::clamp(0.05 + 0.75 * quality * (large ? 1.0 : 0.25) + 0.1 * std::max(0.0, similarity), 0.0, 1.0);
}

struct SyntheticExample {
  double quality;
  bool large;
  std::vector<float> vec;  // unit
};

inline std::vector<float> random_unit(std::mt19937_64& rng, int dim) {
  std::normal_distribution<float> g;
  std::vector<float> v(dim);
  double s = 0;
  for (float& x : v) x = g(rng), s += double(x) * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(s));
  return v;
}

inline std::vector<SyntheticExample> synthetic_examples(std::mt19937_64& rng, int n, int dim) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<SyntheticExample> out;
  for (int i = 0; i < n; ++i) out.push_back({u(rng), u(rng) < 0.5, random_unit(rng, dim)});
  return out;
}

inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}

}  // namespace iccache::select::testing
