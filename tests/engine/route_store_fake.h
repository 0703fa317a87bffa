// An in-memory route::RouteStore for the engine tests of routing and forget: rows in maps,
// begin/commit/rollback as a snapshot of them, and a switch that makes the next write fail.
#pragma once
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "route/route_store.h"

namespace iccache::route::testing {

class FakeRouteStore : public RouteStore {
 public:
  struct Data {
    RouterScalars scalars;
    std::map<std::string, StoredArm> arms;
    std::map<int64_t, DecisionRow> decisions;
    std::map<int64_t, double> rewarded_at;
  };
  Data data;
  std::map<int64_t, std::vector<float>> examples;  // id -> unit vector
  bool fail_writes = false;
  int begins = 0, commits = 0, rollbacks = 0;

  int64_t generation() override { return data.scalars.generation; }
  RouterScalars scalars() override { return data.scalars; }
  std::vector<StoredArm> arms() override {
    std::vector<StoredArm> out;
    for (const auto& [name, a] : data.arms) out.push_back(a);
    return out;
  }
  void write_route_state(const LoadState& load, int64_t last_decision, int64_t g) override {
    write();
    data.scalars.load = load;
    data.scalars.last_decision = last_decision;
    data.scalars.generation = g;
  }
  void write_manual_load(std::optional<double> rps, int64_t g) override {
    write();
    data.scalars.load.manual = rps;
    data.scalars.generation = g;
  }
  void write_calibration(double w, const Calibration& c, int64_t g) override {
    write();
    data.scalars.cost_weight = w;
    data.scalars.calibration = serialize_calibration(c);
    data.scalars.generation = g;
  }
  void write_arm(const StoredArm& a, int64_t g) override {
    write();
    data.arms[a.name] = a;
    data.scalars.generation = g;
  }
  void insert_decision(const DecisionRow& d) override {
    write();
    data.decisions[d.id] = d;
  }
  std::optional<DecisionRow> decision(int64_t id) override {
    auto it = data.decisions.find(id);
    if (it == data.decisions.end()) return std::nullopt;
    return it->second;
  }
  void set_reward(int64_t id, double reward, double at) override {
    write();
    data.decisions[id].reward = reward;
    data.rewarded_at[id] = at;
  }
  void set_shadow_reward(int64_t id, double reward) override {
    write();
    data.decisions[id].shadow_reward = reward;
  }
  int prune(double min_time, int64_t max_pruned_id, int batch) override {
    int n = 0;
    for (auto it = data.decisions.begin(); it != data.decisions.end() && n < batch;) {
      if (it->second.time < min_time || it->first <= max_pruned_id) {
        it = data.decisions.erase(it);
        ++n;
      } else {
        break;
      }
    }
    return n;
  }
  std::vector<LoggedDecision> recent_decisions(int64_t limit) override {
    std::vector<LoggedDecision> out;
    for (auto it = data.decisions.rbegin(); it != data.decisions.rend() && static_cast<int64_t>(out.size()) < limit; ++it)
      out.push_back({it->second.features, static_cast<uint64_t>(it->first)});
    return out;
  }
  int64_t decision_count() override { return static_cast<int64_t>(data.decisions.size()); }
  int64_t feedback_count() override {
    int64_t n = 0;
    for (const auto& [id, d] : data.decisions) n += d.reward.has_value();
    return n;
  }
  bool example(int64_t id, int dim, double& quality, float* vec) override {
    auto it = examples.find(id);
    if (it == examples.end()) return false;
    quality = 1;
    std::memcpy(vec, it->second.data(), sizeof(float) * static_cast<size_t>(dim));
    return true;
  }
  void begin() override {
    ++begins;
    saved_ = data;
  }
  void commit() override { ++commits; }
  void rollback() override {
    ++rollbacks;
    data = saved_;
  }

 private:
  void write() {
    if (fail_writes) throw std::runtime_error("disk full");
  }
  Data saved_;
};

}  // namespace iccache::route::testing
