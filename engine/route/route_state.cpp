#include "route/route_state.h"

#include <utility>

#include "common/error.h"
#include "route/calibrate.h"

namespace iccache::route {

RouteState::RouteState(std::unique_ptr<RouteStore> store, const TableOptions& options, std::string table,
                       std::mt19937_64& nonce)
    : NonceCache(std::move(store), options, std::move(table), nonce),
      router(router_config(options)),
      features(options.dim),
      load(options.route.load_half_life) {}

void RouteState::refresh() {
  const std::optional<int64_t> g = stale_generation();
  if (!g) return;
  RouterScalars s = store().scalars();
  Router fresh(router.config());
  fresh.set_cost_weight(s.cost_weight ? *s.cost_weight : options().route.cost_weight);
  if (s.calibration) {
    std::optional<Calibration> c = parse_calibration(*s.calibration);
    if (!c)
      throw CorruptData(table() + ": the calibration in " + table() +
                        "_state (key router_calibration) is damaged; expected"
                        " float64 share, band and ascending thresholds");
    fresh.set_calibration(std::move(c));
  }
  for (const StoredArm& a : store().arms()) {
    const int i = fresh.arm_index(a.name);
    if (i >= 0) fresh.arm(i).restore(a.a_inv, a.b, a.n, a.reward_sum);
  }
  router = std::move(fresh);
  load.restore(s.load);
  last_decision = s.last_decision;
  generation = *g;
  loaded = true;
}

double RouteState::current_load(double now) const { return load.load_at(load.report_time(now)); }

StoredArm RouteState::stored_arm(int i, const LinearArm& a) const {
  return {router.config().arms[i].name, a.a_inv(), a.b(), a.n(), a.reward_sum()};
}

}  // namespace iccache::route
