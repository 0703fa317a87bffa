// The request router: a contextual bandit over the arms (models, optionally the verbatim
// cache), one LinearArm reward model each. A decision scores every available arm as
//   policy value (Thompson sample or UCB of the expected reward)
//   - cost_weight * cost + load_bias(cost, load)
// and serves the best, with three refinements:
//  * warm-up: while an available arm has fewer than `warmup` rewards, the arm is drawn
//    uniformly among the available ones and feedback is asked for, so every arm is tried a
//    few times early (together with the optimistic prior of LinearArm);
//  * calibration (calibrate.h): once calibrated, whether the most expensive arm serves is
//    decided by where the decision's threshold falls among the calibration window's
//    thresholds, with decisions tied within a band split at random, so the target share is
//    met even when few distinct contexts make the thresholds tie; above the load threshold
//    that share shrinks by up to load_beta of itself (the load acts on the share, i.e. on the
//    scale of the score gap, not as a bounded additive bias that a large gap ignores);
//  * uncertainty: when the arms' expected scores are close (standard deviation below
//    feedback_std) the decision asks for feedback and names the runner-up as the `shadow`
//    arm, to be run off the user's path for comparison (shadow mode, the default); in serve
//    mode it instead serves the runner-up with probability explore_rate.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options/table_options.h"
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

// What iccache_calibrate fixed: the target share of the most expensive arm and the sorted
// thresholds of the calibration window (subsampled to at most kMaxCalibrationPoints).
struct Calibration {
  double share = 0;
  std::vector<double> thresholds;  // ascending, finite (clamped like the cost weight)
  double band = 0;                 // thresholds within this of each other count as tied
  int64_t window = 0;              // decisions it was (and is re-aimed) on
  int64_t rewards_at = 0;          // the router's total rewards when it was computed
};

// A calibration is a standing target: after this many new rewards it is recomputed on the
// newest `window` decisions with the current posterior, so learning after the calibration
// (which moves every threshold) cannot carry the share away from the target.
inline int64_t reaim_interval(int64_t window) { return window / 20 > 10 ? window / 20 : 10; }

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
  double prior_mean = 0;  // every arm's reward before feedback (the router options use 1)
  int warmup = 0;         // rewards per arm before the warm-up ends (0: none)
  bool shadow = false;    // unsure decisions name a shadow arm instead of serving it
};

// The router a table's options describe: its models (and the cache arm), the bandit with
// the exploration scale bench/route_policy_compare chose for it (docs/routing.md), the load
// bias, warm-up and explore mode, seeded by the table's seed.
RouterConfig router_config(const TableOptions& o);

struct Decision {
  int arm = -1;          // served
  double score = 0;      // the served arm's expected score (mean reward - cost term + bias)
  double score_std = 0;  // standard deviation of the available arms' expected scores
  double load = 0;
  bool explore = false;  // served an arm other than the policy's first choice
  bool want_feedback = false;
  int shadow = -1;       // shadow mode: the arm to run off the user's path, -1 for none
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
  const std::optional<Calibration>& calibration() const { return calibration_; }
  void set_calibration(std::optional<Calibration> c) { calibration_ = std::move(c); }
  // Share of the calibrated share kept by the most expensive arm at this load (1 at or below
  // the load threshold, down to 1 - min(load_beta, 1) under heavy overload).
  double share_factor(double load) const;
  // Index of the most expensive arm (the first of equals).
  int expensive_arm() const;
  // Index of the arm named `name`; -1 when no arm has that name.
  int arm_index(std::string_view name) const;
  int64_t total_rewards() const;

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
  std::optional<Calibration> calibration_;
  mutable std::vector<double> policy_, expected_, z_;  // scratch, one per arm
};

}  // namespace iccache::route
