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

#include "route/calibrate.h"
#include "route/features.h"
#include "route/linear_arm.h"
#include "route/load.h"
#include "ext/store/storage.h"

namespace iccache::ext {

// Called by Storage::create_tables/drop_tables/rename_tables: the router tables (their
// suffixes are in storage.cpp's kSuffixes, so dropping and renaming them is done there),
// the router_generation row, and the `T_stats` view over iccache_stats('T').
void create_route_schema(sqlite3* db, const std::string& schema, const std::string& table);
void drop_route_schema(sqlite3* db, const std::string& schema, const std::string& table);
void rename_route_schema(sqlite3* db, const std::string& schema, const std::string& from,
                         const std::string& to);

struct RouterScalars {
  int64_t generation = 0;
  int64_t last_decision = 0;
  route::LoadState load;
  std::optional<double> cost_weight;  // absent: the cost_weight option
  std::optional<std::string> calibration;  // router_calibration blob
};


struct StoredArm {
  std::string name;
  route::Mat a_inv;
  route::Vec b;
  int64_t n = 0;
  double reward_sum = 0;
};

struct DecisionRow {
  int64_t id = 0;
  double time = 0;
  std::string arm;
  bool explore = false, want_feedback = false;
  double score = 0, load = 0;
  route::Features features{};
  std::string request;      // float32 little-endian unit vector
  std::string example_ids;  // JSON array text
  std::optional<double> reward;
  std::string shadow;       // empty: none
  std::optional<double> shadow_reward;
};

class RouteStore {
 public:
  explicit RouteStore(Storage& s) : s_(s) {}

  int64_t generation();
  RouterScalars scalars();
  std::vector<StoredArm> arms();

  // One write of the per-decision scalars (load, decision counter) and a new nonce.
  void write_route_state(const route::LoadState& load, int64_t last_decision, int64_t generation);
  void write_manual_load(std::optional<double> rps, int64_t generation);
  void write_cost_weight(double w, int64_t generation);
  void write_calibration(double w, const route::Calibration& c, int64_t generation);
  void write_arm(const StoredArm& a, int64_t generation);

  void insert_decision(const DecisionRow& d);
  std::optional<DecisionRow> decision(int64_t id);
  void set_reward(int64_t id, double reward, double at);
  void set_shadow_reward(int64_t id, double reward);
  // Deletes up to `batch` of the oldest decisions that are older than min_time or have an
  // id <= max_pruned_id; returns how many went.
  int prune(double min_time, int64_t max_pruned_id, int batch);
  // Features and ids of the newest `limit` decisions, newest first.
  std::vector<route::LoggedDecision> recent_decisions(int64_t limit);
  int64_t decision_count();
  int64_t feedback_count();

  // An example as routing reads it: stored quality and unit vector (dim floats into vec).
  // Returns false when there is no such example.
  bool example(int64_t id, int dim, double& quality, float* vec);

  // SAVEPOINT/RELEASE around a multi-statement router write, so a failure part-way leaves
  // nothing behind even in autocommit mode (nested writes would otherwise commit one by one).
  void begin();
  void commit();
  void rollback();

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
