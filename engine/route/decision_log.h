// The rules of the router's decision log (T_decisions, ext/route/route_store.h): which arm a
// reward goes to, when a calibrated router re-aims after one, and when old rows are pruned.
// route_ops.cpp reads the rows (route_store.h), asks these, and writes what they return.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options/route_options.h"
#include "route/calibrate.h"
#include "route/router.h"

namespace iccache::route {

// What the reward rules read of one logged decision.
struct LoggedRewards {
  int64_t decision = 0;
  std::string_view arm;     // the served arm
  std::string_view shadow;  // the arm to run off the user's path; empty: none
  std::optional<double> reward, shadow_reward;
};

// The arm of `r` a reward is for, and whether that is the decision's shadow arm.
struct RewardTarget {
  int arm = -1;
  bool shadow = false;
};

// Which arm a reward naming `arm` (empty: the served one) is for: the served arm or the
// decision's shadow arm, each rewarded once. Throws iccache::Error, "iccache_feedback: ..."
// naming `table`, when `arm` is neither of them, that arm already has its reward, or it is
// no longer one of r's arms.
RewardTarget reward_target(const Router& r, const LoggedRewards& d, std::string_view arm, std::string_view table);

// Whether a calibrated router re-aims once it has learned one more reward: every
// reaim_interval(window) rewards since its calibration (router.h).
bool reaim_due(const Router& r);

// The router after `arm` learned `updated`, its calibration recomputed (same share and
// window) on `recent`, the newest decisions of that window; nullopt when there are none.
std::optional<Router> reaimed(const Router& r, int arm, const LinearArm& updated,
                              std::span<const LoggedDecision> recent);

// A reward to take back (forget, docs/privacy.md): the arm that got it, the decision's
// context and the reward.
struct GivenReward {
  std::string_view arm;
  Features features{};
  double reward = 0;
};
// r's arms with the rewards `given` taken back (LinearArm::downdate), and which of them
// moved. A reward of an arm no longer configured, or whose downdate is numerically unsafe,
// stays (count says how many were undone).
struct UndoneRewards {
  std::vector<LinearArm> arms;
  std::vector<bool> changed;
  int64_t count = 0;
};
UndoneRewards undo_rewards(const Router& r, std::span<const GivenReward> given);

// A pruning of the log: up to `batch` of the oldest rows that are older than `before` or
// have an id <= `up_to_id`.
struct LogPrune {
  double before = 0;
  int64_t up_to_id = 0;
  int batch = 0;
};
// Every kPruneEvery-th decision prunes a few of the oldest rows (bounded work per call, and
// faster than decisions arrive, so the log stays within decision_limit and decision_ttl).
// Selection's samples (one per decision) are pruned on the same rule. `time`: the
// decision's time, from which decision_ttl is counted back.
constexpr int64_t kPruneEvery = 8;
constexpr int kPruneBatch = 32;
std::optional<LogPrune> log_prune_due(int64_t decision, double time, const RouteOptions& o);

}  // namespace iccache::route
