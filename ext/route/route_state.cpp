#include "ext/route/route_state.h"

#include <algorithm>

#include "ext/table/vtab.h"

namespace iccache::ext {

RouteState::RouteState(Table& t)
    : table(t),
      store(t.storage),
      router(route::router_config(t.options)),
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
    std::optional<route::Calibration> c = route::parse_calibration(*s.calibration);
    if (!c)
      throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the calibration in " + table.name +
                                              "_state (key router_calibration) is damaged; expected"
                                              " float64 share, band and ascending thresholds");
    fresh.set_calibration(std::move(c));
  }
  for (const StoredArm& a : store.arms()) {
    const int i = fresh.arm_index(a.name);
    if (i >= 0) fresh.arm(i).restore(a.a_inv, a.b, a.n, a.reward_sum);
  }
  router = std::move(fresh);
  load.restore(s.load);
  last_decision = s.last_decision;
  generation = g;
  loaded = true;
}

double RouteState::current_load(double now) const { return load.load_at(load.report_time(now)); }

StoredArm RouteState::stored_arm(int i, const route::LinearArm& a) const {
  return {router.config().arms[i].name, a.a_inv(), a.b(), a.n(), a.reward_sum()};
}

RouteState& route_state(Table& t) {
  if (!t.route) t.route = std::make_shared<RouteState>(t);
  t.route->refresh();
  return *t.route;
}

}  // namespace iccache::ext
