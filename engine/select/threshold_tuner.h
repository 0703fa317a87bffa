// Online tuning of the utility threshold (PAPER.md: after stage 2, drop candidates below a
// threshold tuned online). A grid of thresholds; a share of requests is served with a
// threshold drawn uniformly from the grid, the others with the current one. Each rewarded
// request adds value = reward - prefill_penalty x examples shown to the threshold it was
// served with. The current threshold moves to the grid point with the best mean value when
// both have kMinSamples values and the difference passes a one-sided Welch test at z =
// kZ: noise alone rarely moves it, a real gain soon does.
//
// The draw is a pure function of (seed, request vector): MATCH and iccache_route, seeing the
// same request, agree on which threshold served it without writing anything at MATCH time.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iccache::select {

struct TunerArm {
  int64_t n = 0;
  double sum = 0, sum_sq = 0;
  double mean() const { return n ? sum / n : 0; }
  double variance() const;  // sample variance, 0 below two values
};

struct ThresholdDraw {
  int index = 0;         // grid index that serves the request
  bool explored = false;  // drawn from the grid rather than the current threshold
};

class ThresholdTuner {
 public:
  static constexpr int64_t kMinSamples = 30;
  static constexpr double kZ = 1.96;

  ThresholdTuner(std::vector<double> grid, double explore_share, double prefill_penalty, uint64_t seed);

  // Which threshold serves the request whose vector hashes to `request_key`. Nothing is
  // explored before the first rewarded request: a cache that gets no rewards is left alone.
  ThresholdDraw draw(uint64_t request_key) const;
  // Adds one rewarded request; returns true when the current threshold moved.
  bool record(int index, double reward, int shown);

  double threshold() const { return grid_[current_]; }
  int current() const { return current_; }
  const std::vector<double>& grid() const { return grid_; }
  const std::vector<TunerArm>& arms() const { return arms_; }
  int64_t total() const;
  double penalty() const { return penalty_; }

  // Little-endian: int64 current index, then per grid point int64 n, float64 sum, sum_sq.
  std::string serialize() const;
  // False when the blob does not fit this grid (a changed threshold_grid starts afresh).
  bool deserialize(std::string_view blob);

 private:
  std::vector<double> grid_;
  double explore_, penalty_;
  uint64_t seed_;
  int current_ = 0;
  std::vector<TunerArm> arms_;
};

// Hash of a vector's bytes (the request key of draw()).
uint64_t request_key(const float* v, int dim);

}  // namespace iccache::select
