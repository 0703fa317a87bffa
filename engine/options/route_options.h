// The routing options of CREATE VIRTUAL TABLE ... USING iccache(...) (docs/routing.md).
// Listed once in route_option_specs(); parse_table_options hands each of these keys to its
// spec. Durations (load_half_life, decision_ttl) take the kit's units (option_parse.h).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "options/option_parse.h"

namespace iccache {

enum class BanditKind { kThompson, kLinUcb };

struct RouteOptions {
  BanditKind bandit = BanditKind::kThompson;
  bool cache_arm = false;               // cache_arm: add the verbatim-cache arm (cost 0)
  double load_half_life = 10;           // seconds
  double load_threshold = 10;           // requests per second
  double load_beta = 0.5;               // calibrated: share shed under overload; else bias bound per unit cost
  double load_gamma = 1.0;              // bias steepness
  double cost_weight = 0;               // initial cost weight (iccache_calibrate changes it)
  double feedback_std = 0.02;           // want_feedback when arm scores' std is below this
  double explore_rate = 0.1;            // serve mode: serve the second arm in that share of unsure cases
  bool shadow = true;                   // explore_mode: 'shadow' names the runner-up, 'serve' serves it
  double prior_reward = 1.0;            // every arm's expected reward before feedback (optimistic)
  int warmup = 0;                       // rewards per arm before the arm is left to the policy (0: off)
  int64_t decision_limit = 100000;      // decisions kept in T_decisions
  double decision_ttl = 7 * 86400.0;    // seconds a decision stays open for feedback
};

// The route options, in documentation order.
std::span<const options::OptionSpec<RouteOptions>> route_option_specs();

// Parses option `key` (lower-cased) into out and returns true, or returns false when key is
// not a routing option. Throws iccache::Error naming the table and option for a bad value.
// (Repeated options are refused by parse_table_options; the router's seed is the table's
// `seed` option.)
bool parse_route_option(std::string_view table, const std::string& key, std::string_view value,
                        RouteOptions& out);

}  // namespace iccache
