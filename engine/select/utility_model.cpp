#include "select/utility_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace iccache::select {

namespace {

constexpr int kMaxNewton = 50;
constexpr double kTolerance = 1e-9;

Eigen::Map<const WeightVec> as_vec(const FeatureVec& x) { return Eigen::Map<const WeightVec>(x.data()); }

double clamp_label(double y) { return std::clamp(std::isfinite(y) ? y : 0.0, 0.0, 1.0); }

// Negative log posterior (up to a constant) of w on the samples.
double objective(const WeightVec& w, const WeightVec& w0, std::span<const Sample> samples) {
  double loss = 0.5 * UtilityModel::kPriorPrecision * (w - w0).squaredNorm();
  for (const Sample& s : samples) {
    const double z = w.dot(as_vec(s.x)), y = clamp_label(s.label);
    // log(1 + e^z) - y z, computed without overflow.
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - y * z;
  }
  return loss;
}

}  // namespace

double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

WeightVec UtilityModel::prior_weights() {
  WeightVec w = WeightVec::Zero();
  w[kBias] = -3;
  w[kSimQuality] = 6;
  return w;
}

UtilityModel::UtilityModel()
    : w_(prior_weights()), h_(PrecisionMat::Identity() * kPriorPrecision) {}

double UtilityModel::predict(const FeatureVec& x) const { return sigmoid(w_.dot(as_vec(x))); }

void UtilityModel::observe(const FeatureVec& x, double label) {
  const auto v = as_vec(x);
  const double p = predict(x);
  // Keep a floor on the curvature so a confident wrong prediction still moves the weights.
  h_.noalias() += std::max(p * (1 - p), 1e-4) * v * v.transpose();
  w_ -= h_.ldlt().solve((p - clamp_label(label)) * v);
  ++n_;
}

int UtilityModel::fit(std::span<const Sample> samples) {
  const WeightVec w0 = prior_weights();
  WeightVec w = w0;
  PrecisionMat h;
  double f = objective(w, w0, samples);
  int it = 0;
  for (; it < kMaxNewton; ++it) {
    WeightVec g = kPriorPrecision * (w - w0);
    h = PrecisionMat::Identity() * kPriorPrecision;
    for (const Sample& s : samples) {
      const auto v = as_vec(s.x);
      const double p = sigmoid(w.dot(v));
      g.noalias() += (p - clamp_label(s.label)) * v;
      h.noalias() += std::max(p * (1 - p), 1e-4) * v * v.transpose();
    }
    const WeightVec step = h.ldlt().solve(g);
    // Backtracking: a full Newton step can overshoot on separable data.
    double t = 1;
    WeightVec next = w - step;
    double fn = objective(next, w0, samples);
    while (fn > f && t > 1e-6) {
      t *= 0.5;
      next = w - t * step;
      fn = objective(next, w0, samples);
    }
    if (fn > f) break;  // no descent left: w is the optimum up to rounding
    w = next;
    const double moved = (t * step).norm();
    f = fn;
    if (moved < kTolerance) break;
  }
  // The precision at the optimum, for later online updates.
  h = PrecisionMat::Identity() * kPriorPrecision;
  for (const Sample& s : samples) {
    const auto v = as_vec(s.x);
    const double p = sigmoid(w.dot(v));
    h.noalias() += std::max(p * (1 - p), 1e-4) * v * v.transpose();
  }
  w_ = w;
  h_ = h;
  n_ = static_cast<int64_t>(samples.size());
  return it;
}

std::string UtilityModel::serialize() const {
  std::string out(sizeof(double) * (kFeatureCount + kFeatureCount * kFeatureCount + 1), '\0');
  char* p = out.data();
  std::memcpy(p, w_.data(), sizeof(double) * kFeatureCount);
  p += sizeof(double) * kFeatureCount;
  std::memcpy(p, h_.data(), sizeof(double) * kFeatureCount * kFeatureCount);
  p += sizeof(double) * kFeatureCount * kFeatureCount;
  const double n = static_cast<double>(n_);
  std::memcpy(p, &n, sizeof n);
  return out;
}

bool UtilityModel::deserialize(std::string_view blob) {
  if (blob.size() != sizeof(double) * (kFeatureCount + kFeatureCount * kFeatureCount + 1)) return false;
  WeightVec w;
  PrecisionMat h;
  double n = 0;
  const char* p = blob.data();
  std::memcpy(w.data(), p, sizeof(double) * kFeatureCount);
  p += sizeof(double) * kFeatureCount;
  std::memcpy(h.data(), p, sizeof(double) * kFeatureCount * kFeatureCount);
  p += sizeof(double) * kFeatureCount * kFeatureCount;
  std::memcpy(&n, p, sizeof n);
  if (!w.allFinite() || !h.allFinite() || !std::isfinite(n) || n < 0) return false;
  w_ = w;
  h_ = h;
  n_ = static_cast<int64_t>(n);
  return true;
}

}  // namespace iccache::select
