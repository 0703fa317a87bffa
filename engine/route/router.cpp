#include "route/router.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "route/rng.h"

namespace iccache::route {

namespace {
// Exploration scales chosen by bench/route_policy_compare (docs/routing.md): the best
// regret with feedback arriving at once and 200 decisions late.
constexpr double kThompsonScale = 0.1;
constexpr double kLinUcbAlpha = 0.5;
}  // namespace

RouterConfig router_config(const TableOptions& o) {
  RouterConfig c;
  for (const ModelArm& m : o.models) c.arms.push_back({m.name, m.cost, false});
  if (o.route.cache_arm) c.arms.push_back({"cache", 0.0, true});
  c.policy = o.route.bandit == BanditKind::kLinUcb ? Policy::kLinUcb : Policy::kThompson;
  c.exploration = c.policy == Policy::kLinUcb ? kLinUcbAlpha : kThompsonScale;
  c.bias = {o.route.load_threshold, o.route.load_beta, o.route.load_gamma};
  c.feedback_std = o.route.feedback_std;
  c.explore_rate = o.route.explore_rate;
  c.seed = o.seed;
  c.prior_mean = o.route.prior_reward;
  c.warmup = o.route.warmup;
  c.shadow = o.route.shadow;
  return c;
}

Router::Router(RouterConfig config)
    : config_(std::move(config)),
      arms_(config_.arms.size(), LinearArm(config_.ridge, config_.prior_mean)),
      policy_(config_.arms.size()),
      expected_(config_.arms.size()),
      z_(config_.arms.size()) {
  if (config_.arms.empty()) throw Error("router: expected at least one arm");
}

int Router::expensive_arm() const {
  int best = 0;
  for (int a = 1; a < arm_count(); ++a)
    if (config_.arms[a].cost > config_.arms[best].cost) best = a;
  return best;
}

int Router::arm_index(std::string_view name) const {
  for (int i = 0; i < arm_count(); ++i)
    if (config_.arms[i].name == name) return i;
  return -1;
}

int64_t Router::total_rewards() const {
  int64_t n = 0;
  for (const LinearArm& a : arms_) n += a.n();
  return n;
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

namespace {
constexpr double kMaxWeight = 1e6;  // as calibrate.cpp: thresholds are clamped to this
// A second stream per decision for the warm-up and tie coins, so that adding them left the
// draws and the explore coin of existing decisions unchanged.
constexpr uint64_t kCoinSalt = 0xC0FFEE15ull;
}  // namespace

double Router::share_factor(double load) const {
  const LoadBiasParams& p = config_.bias;
  if (!(load > p.threshold)) return 1.0;
  const double f = std::tanh(p.gamma * (load - p.threshold) / p.threshold);
  return 1.0 - std::min(1.0, p.beta) * f;
}

Decision Router::decide(const Features& x, double load, uint64_t decision_id) const {
  DecisionRng rng(config_.seed, decision_id);
  DecisionRng coins(config_.seed ^ kCoinSalt, decision_id);
  Decision d;
  d.load = load;
  int first = -1, n = 0;
  double sum = 0, sum_sq = 0;
  for (int a = 0; a < arm_count(); ++a) {
    // Draw for every arm, available or not, so one arm's availability does not shift the
    // random stream of the others.
    z_[a] = rng.normal();
    if (!available(a, x)) continue;
    const double e = expected_score(a, x, load);
    expected_[a] = e;
    policy_[a] = e + policy_reward(a, x, z_[a]) - arms_[a].mean(x);
    sum += e;
    sum_sq += e * e;
    ++n;
    if (first < 0 || policy_[a] > policy_[first]) first = a;
  }
  const double mean = sum / n;
  d.score_std = std::sqrt(std::max(0.0, sum_sq / n - mean * mean));
  d.want_feedback = n > 1 && d.score_std < config_.feedback_std;
  const double coin = rng.uniform();

  int chosen = first;
  const int top = expensive_arm();
  if (calibration_ && !calibration_->thresholds.empty() && available(top, x)) {
    // The calibrated rule: the top arm serves when this decision's threshold ranks within the
    // top `share` of the window's (ties within the band split by a coin), the share shrunk
    // under load. Otherwise the best cheaper arm by the usual scores.
    const double c_top = config_.arms[top].cost;
    const double m_top = policy_reward(top, x, z_[top]);
    double t = std::numeric_limits<double>::infinity();
    bool beaten = false;  // an equally expensive arm is better
    for (int a = 0; a < arm_count(); ++a) {
      if (a == top || !available(a, x)) continue;
      const double c = config_.arms[a].cost, m = policy_reward(a, x, z_[a]);
      if (c < c_top) t = std::min(t, (m_top - m) / (c_top - c));
      else if (m > m_top || (m == m_top && a < top)) beaten = true;
    }
    if (!beaten && t == std::numeric_limits<double>::infinity()) {
      chosen = top;  // no cheaper arm available
    } else if (!beaten) {
      t = std::clamp(t, -kMaxWeight, kMaxWeight);
      const std::vector<double>& w = calibration_->thresholds;
      const double band = calibration_->band;
      const auto lo = std::lower_bound(w.begin(), w.end(), t - band);
      const auto hi = std::upper_bound(w.begin(), w.end(), t + band);
      const double below = static_cast<double>(lo - w.begin());
      const double tied = static_cast<double>(hi - lo);
      const double u = (below + coins.uniform() * tied) / static_cast<double>(w.size());
      const double target = calibration_->share * share_factor(load);
      if (u >= 1.0 - target && target > 0) {
        chosen = top;
      } else {
        chosen = -1;
        for (int a = 0; a < arm_count(); ++a)
          if (a != top && available(a, x) && (chosen < 0 || policy_[a] > policy_[chosen])) chosen = a;
        if (chosen < 0) chosen = top;
      }
    }
  }
  // Warm-up: an arm with fewer than `warmup` rewards is still unknown; draw the arm.
  if (config_.warmup > 0 && n > 1) {
    bool cold = false;
    for (int a = 0; a < arm_count(); ++a)
      cold |= available(a, x) && arms_[a].n() < config_.warmup;
    if (cold) {
      int pick = static_cast<int>(coins.uniform() * n);
      for (int a = 0; a < arm_count(); ++a) {
        if (!available(a, x)) continue;
        if (pick-- == 0) { chosen = a; break; }
      }
      d.want_feedback = true;
    }
  }
  // The runner-up: the best other available arm by the policy's scores.
  int runner = -1;
  for (int a = 0; a < arm_count(); ++a)
    if (a != chosen && available(a, x) && (runner < 0 || policy_[a] > policy_[runner])) runner = a;
  if (d.want_feedback && runner >= 0) {
    if (config_.shadow) {
      d.shadow = runner;
    } else if (coin < config_.explore_rate) {
      chosen = runner;
    }
  }
  d.arm = chosen;
  d.explore = chosen != first;
  d.score = expected_[d.arm];
  return d;
}

void Router::learn(int arm, const Features& x, double reward) { arms_[arm].update(x, reward); }

}  // namespace iccache::route
