#include "ext/route/route_state.h"

#include <algorithm>

#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// Exploration scales chosen by bench/route_policy_compare (docs/routing.md): the best
// regret with feedback arriving at once and 200 decisions late.
constexpr double kThompsonScale = 0.1;
constexpr double kLinUcbAlpha = 0.5;

route::RouterConfig router_config(const TableOptions& o) {
  route::RouterConfig c;
  for (const ModelArm& m : o.models) c.arms.push_back({m.name, m.cost, false});
  if (o.route.cache_arm) c.arms.push_back({"cache", 0.0, true});
  c.policy = o.route.bandit == BanditKind::kLinUcb ? route::Policy::kLinUcb : route::Policy::kThompson;
  c.exploration = c.policy == route::Policy::kLinUcb ? kLinUcbAlpha : kThompsonScale;
  c.bias = {o.route.load_threshold, o.route.load_beta, o.route.load_gamma};
  c.feedback_std = o.route.feedback_std;
  c.explore_rate = o.route.explore_rate;
  c.seed = o.seed;
  c.prior_mean = o.route.prior_reward;
  c.warmup = o.route.warmup;
  c.shadow = o.route.shadow;
  return c;
}

}  // namespace

RouteState::RouteState(Table& t)
    : table(t),
      store(t.storage),
      router(router_config(t.options)),
      features(t.options.dim),
      load(t.options.route.load_half_life) {}

int64_t RouteState::next_generation() { return static_cast<int64_t>(table.nonce_rng() >> 1); }

void RouteState::refresh() {
  const int64_t g = store.generation();
  if (loaded && g == generation) return;
  loaded = false;
  RouterScalars s = store.scalars();
  route::Router fresh(router.config());
  fresh.set_cost_weight(s.cost_weight ? *s.cost_weight : table.options.route.cost_weight);
  if (s.calibration) {
    std::optional<route::Calibration> c = parse_calibration(*s.calibration);
    if (!c)
      throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the calibration in " + table.name +
                                              "_state (key router_calibration) is damaged; expected"
                                              " float64 share, band and ascending thresholds");
    fresh.set_calibration(std::move(c));
  }
  for (const StoredArm& a : store.arms()) {
    const int i = arm_index(a.name);
    if (i >= 0) fresh.arm(i).restore(a.a_inv, a.b, a.n, a.reward_sum);
  }
  router = std::move(fresh);
  load.restore(s.load);
  last_decision = s.last_decision;
  generation = g;
  loaded = true;
}

int RouteState::arm_index(std::string_view name) const {
  for (int i = 0; i < router.arm_count(); ++i)
    if (router.config().arms[i].name == name) return i;
  return -1;
}

double RouteState::current_load(double now) const {
  const auto& last = load.state().last_time;
  return load.load_at(last ? std::max(now, *last) : now);
}

StoredArm RouteState::stored_arm(int i) const {
  const route::LinearArm& a = router.arm(i);
  return {router.config().arms[i].name, a.a_inv(), a.b(), a.n(), a.reward_sum()};
}

RouteState& route_state(Table& t) {
  if (!t.route) t.route = std::make_shared<RouteState>(t);
  t.route->refresh();
  return *t.route;
}

}  // namespace iccache::ext
