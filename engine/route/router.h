// The request router: a contextual bandit over the arms (models, optionally the verbatim
// cache), one LinearArm reward model each. A decision scores every available arm as
//   policy value (Thompson sample or UCB of the expected reward)
//   - cost_weight * cost + load_bias(cost, load)
// serves the best, and asks for feedback when the arms' expected scores are close (their
// standard deviation is below feedback_std); in those unsure cases it serves the
// second-ranked arm with probability explore_rate instead, which keeps every arm's
// estimate fresh without asking for feedback where the answer is already clear.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "route/features.h"
#include "route/linear_arm.h"
#include "route/load.h"

namespace iccache::route {

enum class Policy { kThompson, kLinUcb };

struct ArmSpec {
  std::string name;
  double cost = 0;
  bool needs_examples = false;  // the cache arm: serves the top example, so none = unavailable
};

struct RouterConfig {
  std::vector<ArmSpec> arms;
  Policy policy = Policy::kThompson;
  // Thompson: scale of the posterior draw; LinUCB: alpha of the confidence bonus. Chosen by
  // the measurement in docs/routing.md.
  double exploration = 0.25;
  double ridge = 1.0;
  LoadBiasParams bias;
  double feedback_std = 0.02;
  double explore_rate = 0.1;
  uint64_t seed = 0;
};

struct Decision {
  int arm = -1;          // served
  double score = 0;      // the served arm's expected score (mean reward - cost term + bias)
  double score_std = 0;  // standard deviation of the available arms' expected scores
  double load = 0;
  bool explore = false;  // served the second-ranked arm
  bool want_feedback = false;
};

class Router {
 public:
  explicit Router(RouterConfig config);

  const RouterConfig& config() const { return config_; }
  int arm_count() const { return static_cast<int>(arms_.size()); }
  LinearArm& arm(int i) { return arms_[i]; }
  const LinearArm& arm(int i) const { return arms_[i]; }
  double cost_weight() const { return cost_weight_; }
  void set_cost_weight(double w) { cost_weight_ = w; }
  // Index of the most expensive arm (the first of equals).
  int expensive_arm() const;

  bool available(int arm, const Features& x) const;
  // Expected reward minus the cost term plus the load bias: what calibration and the
  // uncertainty test look at (no exploration noise).
  double expected_score(int arm, const Features& x, double load) const;
  // Expected reward plus the exploration term for a standard normal draw z (Thompson) or
  // the confidence bonus (LinUCB, z unused): what decisions rank arms by, before costs.
  double policy_reward(int arm, const Features& x, double z) const;
  // The normal draw of `arm` in decision `decision_id` (one stream per decision).
  double draw(uint64_t decision_id, int arm) const;
  // Deterministic in (seed, decision_id, state). Allocates nothing.
  Decision decide(const Features& x, double load, uint64_t decision_id) const;
  void learn(int arm, const Features& x, double reward);

 private:
  RouterConfig config_;
  std::vector<LinearArm> arms_;
  double cost_weight_ = 0;
  mutable std::vector<double> policy_, expected_;  // scratch, one per arm
};

}  // namespace iccache::route
