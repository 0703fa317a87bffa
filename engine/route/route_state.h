// The router's in-memory state for one table on one connection: a cache of the router's
// stored state (route_store.h), valid while the stored 'router_generation' nonce equals the
// one it loaded or last wrote. ROLLBACK, ROLLBACK TO and another connection's commit change
// the stored nonce, and the next router call reloads. Every router write stores a fresh
// random nonce inside the same SAVEPOINT as the data it describes.
#pragma once
#include "common/nonce_cache.h"
#include "route/route_store.h"  // Router, FeatureBuilder, LoadTracker and the stored rows

namespace iccache::route {

class RouteState : public NonceCache<RouteStore> {
 public:
  RouteState(std::unique_ptr<RouteStore> store, const TableOptions& options, std::string table,
             std::mt19937_64& nonce);

  Router router;
  FeatureBuilder features;
  LoadTracker load;
  int64_t last_decision = 0;

  // Reloads from the store when the stored nonce differs from ours. Throws CorruptData
  // when the stored calibration does not parse.
  void refresh();
  double cost(int arm) const { return router.config().arms[arm].cost; }
  // The load to report outside a route call (LoadTracker::report_time).
  double current_load(double now) const;
  // Arm `arm` as stored, holding the model `a` (the arm's own, or its update before it is adopted).
  StoredArm stored_arm(int arm, const LinearArm& a) const;
};

// Runs write() between the store's begin() and commit(); on any failure rolls it back and
// drops the in-memory cache (the next call reloads) before rethrowing.
template <class Fn>
void in_savepoint(RouteState& rs, Fn&& write) {
  rs.store().begin();
  try {
    write();
    rs.store().commit();
  } catch (...) {
    rs.loaded = false;
    try {
      rs.store().rollback();
    } catch (...) {
      // The original error matters more; the savepoint goes with the statement anyway.
    }
    throw;
  }
}

}  // namespace iccache::route
