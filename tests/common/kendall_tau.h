// Kendall's tau-b: how well one ranking agrees with another, for the selection tests of the
// engine (tests/engine/select_test_util.h) and of SQL (tests/sql/select_learning_test.cpp).
#pragma once
#include <cmath>
#include <vector>

namespace iccache_test {

// Kendall's tau-b of two equally long sequences (O(n^2): fine for a few thousand).
inline double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) { ++ties_a; continue; }
      if (db == 0) { ++ties_b; continue; }
      (da * db > 0 ? concordant : discordant) += 1;
    }
  const double n1 = concordant + discordant + ties_a, n2 = concordant + discordant + ties_b;
  return n1 > 0 && n2 > 0 ? (concordant - discordant) / std::sqrt(n1 * n2) : 0;
}

}  // namespace iccache_test
