// A seeded stationary two-arm problem shared by the router tests: contexts are random
// features around two request types (x[1] near -0.4 or +0.4, like two topics), each arm's
// expected reward is linear in them, rewards are Bernoulli draws. Arm 1 wins on the first
// type by about 0.38, arm 0 on the second by about 0.18; the other features are noise the
// router must learn to ignore.
#pragma once
#include <algorithm>
#include <random>

#include "route/features.h"

namespace iccache::route::testing {

struct Problem {
  std::mt19937_64 rng;
  explicit Problem(uint64_t seed) : rng(seed) {}

  Features context() {
    std::uniform_real_distribution<double> u(-1, 1);
    Features x{};
    x[0] = 1;
    for (int i = 1; i < kFeatureDim; ++i) x[i] = 0.5 * u(rng);
    x[1] = (u(rng) < 0 ? -0.4 : 0.4) + 0.1 * u(rng);
    x[kCountFeature] = 0.5;  // examples present
    return x;
  }
  static double expected(int arm, const Features& x) {
    const double r = arm == 0 ? 0.4 + 0.6 * x[1] : 0.5 - 0.1 * x[1] + 0.1 * x[2];
    return std::clamp(r, 0.0, 1.0);
  }
  static int best(const Features& x) { return expected(1, x) >= expected(0, x) ? 1 : 0; }
  double reward(int arm, const Features& x) {
    return std::bernoulli_distribution(expected(arm, x))(rng) ? 1.0 : 0.0;
  }
};

}  // namespace iccache::route::testing
