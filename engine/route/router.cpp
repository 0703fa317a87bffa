#include "route/router.h"

#include <cmath>

#include "common/error.h"
#include "route/rng.h"

namespace iccache::route {

Router::Router(RouterConfig config)
    : config_(std::move(config)),
      arms_(config_.arms.size(), LinearArm(config_.ridge)),
      policy_(config_.arms.size()),
      expected_(config_.arms.size()) {
  if (config_.arms.empty()) throw Error("router: expected at least one arm");
}

int Router::expensive_arm() const {
  int best = 0;
  for (int a = 1; a < arm_count(); ++a)
    if (config_.arms[a].cost > config_.arms[best].cost) best = a;
  return best;
}

bool Router::available(int arm, const Features& x) const {
  return !config_.arms[arm].needs_examples || x[kCountFeature] > 0;
}

double Router::expected_score(int a, const Features& x, double load) const {
  const double cost = config_.arms[a].cost;
  return arms_[a].mean(x) - cost_weight_ * cost + load_bias(config_.bias, cost, load);
}

double Router::policy_reward(int a, const Features& x, double z) const {
  const double sd = std::sqrt(arms_[a].variance(x));
  return arms_[a].mean(x) + config_.exploration * sd * (config_.policy == Policy::kThompson ? z : 1.0);
}

double Router::draw(uint64_t decision_id, int arm) const {
  DecisionRng rng(config_.seed, decision_id);
  double z = 0;
  for (int a = 0; a <= arm; ++a) z = rng.normal();
  return z;
}

Decision Router::decide(const Features& x, double load, uint64_t decision_id) const {
  DecisionRng rng(config_.seed, decision_id);
  Decision d;
  d.load = load;
  int first = -1, second = -1, n = 0;
  double sum = 0, sum_sq = 0;
  for (int a = 0; a < arm_count(); ++a) {
    // Draw for every arm, available or not, so one arm's availability does not shift the
    // random stream of the others.
    const double z = rng.normal();
    if (!available(a, x)) continue;
    const double e = expected_score(a, x, load);
    expected_[a] = e;
    policy_[a] = e + policy_reward(a, x, z) - arms_[a].mean(x);
    sum += e;
    sum_sq += e * e;
    ++n;
    if (first < 0 || policy_[a] > policy_[first]) {
      second = first;
      first = a;
    } else if (second < 0 || policy_[a] > policy_[second]) {
      second = a;
    }
  }
  const double mean = sum / n;
  d.score_std = std::sqrt(std::max(0.0, sum_sq / n - mean * mean));
  d.want_feedback = n > 1 && d.score_std < config_.feedback_std;
  const double coin = rng.uniform();
  d.explore = d.want_feedback && second >= 0 && coin < config_.explore_rate;
  d.arm = d.explore ? second : first;
  d.score = expected_[d.arm];
  return d;
}

void Router::learn(int arm, const Features& x, double reward) { arms_[arm].update(x, reward); }

}  // namespace iccache::route
