// The router's rows of iccache_stats / ex_stats (route_ops.h router_stats).
#include "route/load.h"
#include "route/route_ops.h"

namespace iccache::route {

void router_stats(RouteState& rs, double now, StatRows& out) {
  const RouteOptions& o = rs.options().route;
  const double load = rs.current_load(now);
  out.push_back({"bandit", std::string(o.bandit == BanditKind::kLinUcb ? "linucb" : "thompson")});
  out.push_back({"decisions", rs.store().decision_count()});
  out.push_back({"decisions_with_feedback", rs.store().feedback_count()});
  out.push_back({"last_decision", rs.last_decision});
  out.push_back({"load", load});
  out.push_back({"load_ema", rs.load.measured_at(rs.load.report_time(now))});
  out.push_back({"load_manual", rs.load.state().manual ? StatValue(*rs.load.state().manual) : StatValue()});
  out.push_back({"load_threshold", o.load_threshold});
  out.push_back({"cost_weight", rs.router.cost_weight()});
  for (int a = 0; a < rs.router.arm_count(); ++a) {
    const std::string prefix = "arm." + rs.router.config().arms[a].name + ".";
    const LinearArm& arm = rs.router.arm(a);
    out.push_back({prefix + "cost", rs.cost(a)});
    out.push_back({prefix + "load_bias", load_bias(rs.router.config().bias, rs.cost(a), load)});
    out.push_back({prefix + "rewards", arm.n()});
    out.push_back({prefix + "mean_reward", arm.n() ? StatValue(arm.reward_sum() / arm.n()) : StatValue()});
  }
  out.push_back({"router_generation", rs.generation});
}

}  // namespace iccache::route
