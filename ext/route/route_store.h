// Router persistence in the table's own file:
//   T_router(arm TEXT PRIMARY KEY, n, reward_sum, a_inv BLOB, b BLOB)   one row per arm that
//       has learned anything: the ridge posterior (float64 little-endian matrices)
//   T_decisions(id INTEGER PRIMARY KEY, time, arm, explore, want_feedback, score, load,
//       features BLOB, request BLOB, example_ids TEXT, reward, rewarded_at, shadow,
//       shadow_reward)
//       the decision log that feedback and calibration read; pruned by age and count.
//       shadow: the arm to run off the user's path (NULL for none) and its reward; files
//       made before these columns existed get them on the first router write
//   T_state keys router_generation (the router's own nonce, see storage.h),
//       router_decisions (last decision id), router_load_ema, router_load_time,
//       router_load_manual, router_cost_weight, router_calibration (float64 LE: share,
//       band, window, rewards at calibration, ascending thresholds; see route/router.h Calibration)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "route/route_store.h"
#include "ext/store/storage.h"

namespace iccache::ext {

// Called by Storage::create_tables/drop_tables/rename_tables: the router tables (their
// suffixes are in storage.cpp's kSuffixes, so dropping and renaming them is done there),
// the router_generation row, and the `T_stats` view over iccache_stats('T').
void create_route_schema(sqlite3* db, const std::string& schema, const std::string& table);
void drop_route_schema(sqlite3* db, const std::string& schema, const std::string& table);
void rename_route_schema(sqlite3* db, const std::string& schema, const std::string& from,
                         const std::string& to);

// The router's store (engine/route/route_store.h) over the tables above.
class RouteStore : public route::RouteStore {
 public:
  explicit RouteStore(Storage& s) : s_(s) {}

  int64_t generation() override;
  route::RouterScalars scalars() override;
  std::vector<route::StoredArm> arms() override;

  void write_route_state(const route::LoadState& load, int64_t last_decision, int64_t generation) override;
  void write_manual_load(std::optional<double> rps, int64_t generation) override;
  void write_calibration(double w, const route::Calibration& c, int64_t generation) override;
  void write_arm(const route::StoredArm& a, int64_t generation) override;

  void insert_decision(const route::DecisionRow& d) override;
  std::optional<route::DecisionRow> decision(int64_t id) override;
  void set_reward(int64_t id, double reward, double at) override;
  void set_shadow_reward(int64_t id, double reward) override;
  int prune(double min_time, int64_t max_pruned_id, int batch) override;
  std::vector<route::LoggedDecision> recent_decisions(int64_t limit) override;
  int64_t decision_count() override;
  int64_t feedback_count() override;

  bool example(int64_t id, int dim, double& quality, float* vec) override;

  // SAVEPOINT iccache_router / RELEASE / ROLLBACK TO.
  void begin() override;
  void commit() override;
  void rollback() override;

 private:
  void set_state(const char* key, std::optional<double> value);
  void set_generation(int64_t g);
  // Files made before the shadow columns: add them (writes) or read NULL in their place.
  bool has_shadow_columns();
  void add_shadow_columns();

  Storage& s_;
  Stmt gen_, scalars_, arms_, put_state_, put_route_, put_arm_, ins_dec_, get_dec_, set_reward_, prune_,
      recent_, count_, fb_count_, example_, begin_, commit_, rollback_, release_, shadow_reward_;
  int shadow_columns_ = -1;  // unknown
  bool owns_transaction_ = false;  // begin() found the connection in autocommit mode
};

}  // namespace iccache::ext
