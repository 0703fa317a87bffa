// The second-stage utility model: Bayesian logistic regression of "prepending this example
// helped" on the pair features (utility_features.h). Utility = sigmoid(w . x), in [0, 1].
//
// The Gaussian prior N(w0, I / kPriorPrecision) is centred on the cold-start weights, whose
// utility is a monotone function of similarity x quality (about that product where it
// matters: sigmoid(-3 + 6 s q)); so an untrained model ranks like similarity x quality and
// feedback moves it only as far as the evidence carries it.
// Training: every labelled sample takes one Newton step with the running precision
// (Laplace approximation of the posterior, O(F^2)); fit() recomputes the exact MAP
// estimate from a whole log (Newton/IRLS), deterministic for a given sample order.
// Labels are rewards in [0, 1] (soft labels of the cross-entropy).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <Eigen/Dense>

#include "select/utility_features.h"

namespace iccache::select {

using WeightVec = Eigen::Matrix<double, kFeatureCount, 1>;
using PrecisionMat = Eigen::Matrix<double, kFeatureCount, kFeatureCount>;

struct Sample {
  FeatureVec x{};
  double label = 0;  // reward in [0, 1]
};

class UtilityModel {
 public:
  static constexpr double kPriorPrecision = 1.0;

  UtilityModel();  // the cold-start prior
  static WeightVec prior_weights();

  double predict(const FeatureVec& x) const;
  // One online update (soft label in [0, 1]).
  void observe(const FeatureVec& x, double label);
  // Replaces the model by the MAP fit on `samples` (from the prior). Returns Newton iterations.
  int fit(std::span<const Sample> samples);

  const WeightVec& weights() const { return w_; }
  const PrecisionMat& precision() const { return h_; }
  int64_t samples() const { return n_; }

  // Little-endian float64: F weights, F x F precision, then the sample count.
  std::string serialize() const;
  // False when the blob does not have the size and finite values of this model's layout.
  bool deserialize(std::string_view blob);

 private:
  WeightVec w_;
  PrecisionMat h_;
  int64_t n_ = 0;
};

double sigmoid(double z);

}  // namespace iccache::select
