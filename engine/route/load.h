// Load awareness. LoadTracker estimates the arrival rate as an exponentially decayed count
// of route calls (each arrival adds ln2/half_life, the sum halves every half_life), which is
// an unbiased EMA of the rate for steady Poisson traffic and follows a burst within about
// one half-life. load_bias turns the rate into a bounded penalty on expensive arms.
#pragma once
#include <optional>

namespace iccache::route {

struct LoadState {
  double ema = 0;                 // requests per second, as of last_time
  std::optional<double> last_time;  // seconds since 1970 of the last arrival
  std::optional<double> manual;   // set by iccache_load: used instead of the EMA
};

class LoadTracker {
 public:
  explicit LoadTracker(double half_life_s) : half_life_(half_life_s) {}

  const LoadState& state() const { return state_; }
  void restore(const LoadState& s) { state_ = s; }
  // Records one arrival at time t (earlier times than the last count as simultaneous).
  void arrive(double t);
  void set_manual(std::optional<double> rps) { state_.manual = rps; }
  // The EMA decayed to time t (no arrival recorded).
  double measured_at(double t) const;
  // What routing uses: the manual load when set, the measured EMA otherwise.
  double load_at(double t) const { return state_.manual ? *state_.manual : measured_at(t); }
  // When to read the load outside a route call (iccache_load, ex_stats): at now, or at the
  // last arrival when that lies ahead of the wall clock (replayed or simulated timestamps).
  double report_time(double now) const {
    return state_.last_time && *state_.last_time > now ? *state_.last_time : now;
  }

 private:
  double half_life_;
  LoadState state_;
};

struct LoadBiasParams {
  double threshold = 10;  // requests per second; > 0
  double beta = 0.5;      // bound of the bias per unit of cost; >= 0
  double gamma = 1.0;     // steepness; > 0
};

// b = -beta * cost * tanh(gamma * (load - threshold) / threshold) above the threshold, 0 at or
// below it: non-positive, non-increasing in load, and never below -beta * cost.
double load_bias(const LoadBiasParams& p, double cost, double load);

}  // namespace iccache::route
