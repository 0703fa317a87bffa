// The router's in-memory state for one table on one connection: a cache of the router
// shadow tables (route_store.h), valid while T_state's 'router_generation' nonce equals the
// one it loaded or last wrote. ROLLBACK, ROLLBACK TO and another connection's commit change
// the stored nonce, and the next router call reloads. Every router write stores a fresh
// random nonce inside the same SAVEPOINT as the data it describes.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "route/features.h"
#include "route/load.h"
#include "route/router.h"
#include "ext/route/route_store.h"

namespace iccache::ext {

struct Table;

struct RouteState {
  explicit RouteState(Table& t);

  Table& table;
  RouteStore store;
  route::Router router;
  route::FeatureBuilder features;
  route::LoadTracker load;
  bool loaded = false;
  int64_t generation = 0;
  int64_t last_decision = 0;

  // Reloads from the shadow tables when the stored nonce differs from ours.
  void refresh();
  // A fresh random nonce for the next write (adopted only once the write succeeded).
  int64_t next_generation();
  double cost(int arm) const { return router.config().arms[arm].cost; }
  // The load to report outside a route call (route::LoadTracker::report_time).
  double current_load(double now) const;
  // Arm `arm` as stored, holding the model `a` (the arm's own, or its update before it is adopted).
  StoredArm stored_arm(int arm, const route::LinearArm& a) const;
};

// The router state of table t, created on first use and refreshed against the nonce.
RouteState& route_state(Table& t);

}  // namespace iccache::ext
