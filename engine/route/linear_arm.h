// One arm's reward model: Bayesian ridge regression of reward on context features.
// Keeps the inverse Gram matrix A^-1 = (lambda I + sum x x^T)^-1 and b = sum r x, updated in
// O(d^2) per reward by Sherman-Morrison, so a decision never inverts a matrix. The prior on
// the weights is N(m0, I / lambda) with m0 = prior_mean on the bias feature only: an arm that
// has learned nothing expects prior_mean everywhere. The router uses an optimistic prior
// (the best possible reward), so an untried arm outbids arms whose rewards are known to be
// lower until it has been tried (theta = A^-1 (b + lambda m0)). Both LinUCB
// and linear Thompson sampling read the same posterior: mean theta^T x and variance
// x^T A^-1 x.
#pragma once
#include <Eigen/Core>
#include <cstdint>

#include "route/features.h"

namespace iccache::route {

using Vec = Eigen::Matrix<double, kFeatureDim, 1>;
using Mat = Eigen::Matrix<double, kFeatureDim, kFeatureDim>;

class LinearArm {
 public:
  explicit LinearArm(double ridge = 1.0, double prior_mean = 0.0) : prior_mean_(prior_mean) { reset(ridge); }

  void reset(double ridge);
  double prior_mean() const { return prior_mean_; }
  // Restores persisted state (A^-1 and b); theta is recomputed.
  void restore(const Mat& a_inv, const Vec& b, int64_t n, double reward_sum);
  void update(const Features& x, double reward);
  // Takes back one earlier update(x, reward) (forget, docs/privacy.md): the posterior becomes
  // what it would be had that reward never been given, up to rounding. Returns false and
  // changes nothing when the downdate is numerically unsafe (1 - x^T A^-1 x <= 1e-9).
  bool downdate(const Features& x, double reward);

  double mean(const Features& x) const;
  double variance(const Features& x) const;

  const Mat& a_inv() const { return a_inv_; }
  const Vec& b() const { return b_; }
  const Vec& theta() const { return theta_; }
  int64_t n() const { return n_; }
  double reward_sum() const { return reward_sum_; }

 private:
  void update_theta();

  Mat a_inv_;
  Vec b_, theta_;
  double ridge_ = 1.0, prior_mean_ = 0.0;
  int64_t n_ = 0;
  double reward_sum_ = 0;
};

}  // namespace iccache::route
