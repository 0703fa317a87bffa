#include "route/linear_arm.h"

#include <algorithm>

namespace iccache::route {

namespace {
Vec as_vec(const Features& x) { return Eigen::Map<const Vec>(x.data()); }
}  // namespace

void LinearArm::update_theta() {
  Vec shifted = b_;
  shifted[0] += ridge_ * prior_mean_;  // the prior mean lives on the bias feature
  theta_.noalias() = a_inv_ * shifted;
}

void LinearArm::reset(double ridge) {
  ridge_ = ridge;
  a_inv_ = Mat::Identity() / ridge;
  b_.setZero();
  update_theta();
  n_ = 0;
  reward_sum_ = 0;
}

void LinearArm::restore(const Mat& a_inv, const Vec& b, int64_t n, double reward_sum) {
  a_inv_ = a_inv;
  b_ = b;
  update_theta();
  n_ = n;
  reward_sum_ = reward_sum;
}

void LinearArm::update(const Features& xf, double reward) {
  const Vec x = as_vec(xf);
  const Vec u = a_inv_ * x;
  a_inv_.noalias() -= (u * u.transpose()) / (1.0 + x.dot(u));
  // Keep A^-1 exactly symmetric so rounding cannot make the variance negative over
  // millions of updates.
  a_inv_ = (0.5 * (a_inv_ + a_inv_.transpose())).eval();
  b_ += reward * x;
  update_theta();
  ++n_;
  reward_sum_ += reward;
}

bool LinearArm::downdate(const Features& xf, double reward) {
  const Vec x = as_vec(xf);
  const Vec u = a_inv_ * x;
  const double denom = 1.0 - x.dot(u);
  if (!(denom > 1e-9) || n_ <= 0) return false;
  // Sherman-Morrison with the sign flipped: (A - x x^T)^-1 = A^-1 + u u^T / (1 - x^T u).
  a_inv_.noalias() += (u * u.transpose()) / denom;
  a_inv_ = (0.5 * (a_inv_ + a_inv_.transpose())).eval();
  b_ -= reward * x;
  theta_.noalias() = a_inv_ * b_;
  --n_;
  reward_sum_ -= reward;
  return true;
}

double LinearArm::mean(const Features& x) const { return theta_.dot(as_vec(x)); }

double LinearArm::variance(const Features& xf) const {
  const Vec x = as_vec(xf);
  return std::max(0.0, x.dot(a_inv_ * x));
}

}  // namespace iccache::route
