// The router's persistence as routing reads and writes it: the arms' posteriors, the
// decision log and the router's scalars. ext/route/route_store.h implements it with SQL
// over T_router, T_decisions and T_state (that header documents the layout); the tests use
// an in-memory one.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "route/calibrate.h"
#include "route/features.h"
#include "route/linear_arm.h"
#include "route/load.h"
#include "route/router.h"

namespace iccache::route {

struct RouterScalars {
  int64_t generation = 0;
  int64_t last_decision = 0;
  LoadState load;
  std::optional<double> cost_weight;       // absent: the cost_weight option
  std::optional<std::string> calibration;  // router_calibration blob (parse_calibration)
};

struct StoredArm {
  std::string name;
  Mat a_inv;
  Vec b;
  int64_t n = 0;
  double reward_sum = 0;
};

struct DecisionRow {
  int64_t id = 0;
  double time = 0;
  std::string arm;
  bool explore = false, want_feedback = false;
  double score = 0, load = 0;
  Features features{};
  std::string request;      // float32 little-endian unit vector
  std::string example_ids;  // JSON array text
  std::optional<double> reward;
  std::string shadow;       // empty: none
  std::optional<double> shadow_reward;
};

// The stored forms of an arm's posterior (T_router a_inv, b): float64 in host order.
// read_stored throws CorruptData "<what> has N bytes; expected M" when the size differs.
std::string_view stored_bytes(const Mat& m);
std::string_view stored_bytes(const Vec& v);
void read_stored(std::string_view blob, Mat& m, const std::string& what);
void read_stored(std::string_view blob, Vec& v, const std::string& what);
// A decision's stored features (features_bytes); `what` names it in the error ("decision
// 7", "a decision"), which names `table`_decisions.
Features stored_features(std::string_view blob, const std::string& table, const std::string& what);

class RouteStore {
 public:
  virtual ~RouteStore() = default;

  // The stored nonce of the router state ('router_generation').
  virtual int64_t generation() = 0;
  virtual RouterScalars scalars() = 0;
  virtual std::vector<StoredArm> arms() = 0;

  // One write of the per-decision scalars (load, decision counter) and a new nonce.
  virtual void write_route_state(const LoadState& load, int64_t last_decision, int64_t generation) = 0;
  virtual void write_manual_load(std::optional<double> rps, int64_t generation) = 0;
  virtual void write_calibration(double w, const Calibration& c, int64_t generation) = 0;
  virtual void write_arm(const StoredArm& a, int64_t generation) = 0;

  virtual void insert_decision(const DecisionRow& d) = 0;
  virtual std::optional<DecisionRow> decision(int64_t id) = 0;
  virtual void set_reward(int64_t id, double reward, double at) = 0;
  virtual void set_shadow_reward(int64_t id, double reward) = 0;
  // Deletes up to `batch` of the oldest decisions that are older than min_time or have an
  // id <= max_pruned_id; returns how many went.
  virtual int prune(double min_time, int64_t max_pruned_id, int batch) = 0;
  // Features and ids of the newest `limit` decisions, newest first.
  virtual std::vector<LoggedDecision> recent_decisions(int64_t limit) = 0;
  virtual int64_t decision_count() = 0;
  virtual int64_t feedback_count() = 0;

  // An example as routing reads it: stored quality and unit vector (dim floats into vec).
  // Returns false when there is no such example.
  virtual bool example(int64_t id, int dim, double& quality, float* vec) = 0;

  // Brackets a multi-statement router write, so a failure part-way leaves nothing behind
  // (the SQL store uses a SAVEPOINT: nested writes would otherwise commit one by one).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

}  // namespace iccache::route
