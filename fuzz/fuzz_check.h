// Oracles shared by the fuzz targets: a property that fails is a bug, reported by
// aborting (libFuzzer saves the input as a crash artifact).
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace iccache_fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
  std::abort();
}

// Every accepted vector is `dim` finite numbers of unit length.
inline void check_unit(const std::vector<float>& v, size_t dim) {
  if (v.size() != dim) fail("accepted vector has the wrong dimension");
  double n = 0;
  for (float x : v) {
    if (!std::isfinite(x)) fail("accepted vector holds a non-finite value");
    n += static_cast<double>(x) * x;
  }
  if (std::fabs(std::sqrt(n) - 1.0) > 1e-3) fail("accepted vector is not unit length");
}

}  // namespace iccache_fuzz
