#include "route/load.h"

#include <algorithm>
#include <cmath>

namespace iccache::route {

namespace {
constexpr double kLn2 = 0.6931471805599453;
}

double LoadTracker::measured_at(double t) const {
  if (!state_.last_time) return 0;
  const double dt = std::max(0.0, t - *state_.last_time);
  return state_.ema * std::exp2(-dt / half_life_);
}

void LoadTracker::arrive(double t) {
  const double now = state_.last_time ? std::max(t, *state_.last_time) : t;
  state_.ema = measured_at(now) + kLn2 / half_life_;
  state_.last_time = now;
}

double load_bias(const LoadBiasParams& p, double cost, double load) {
  if (!(load > p.threshold)) return 0;
  return -p.beta * cost * std::tanh(p.gamma * (load - p.threshold) / p.threshold);
}

}  // namespace iccache::route
