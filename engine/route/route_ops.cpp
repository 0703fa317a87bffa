#include "route/route_ops.h"

#include <algorithm>
#include <utility>

#include "common/error.h"
#include "common/id_list.h"
#include "route/calibrate.h"
#include "route/decision_log.h"
#include "select/counterfactual.h"

namespace iccache::route {

namespace {

// The calibration is a standing target (reaim_due): the router to adopt after `arm` learned
// `updated`, re-aimed and its calibration written inside the caller's savepoint, or nullopt
// when it is not due.
std::optional<Router> reaim(RouteState& rs, int arm, const LinearArm& updated, int64_t g) {
  if (!reaim_due(rs.router)) return std::nullopt;
  std::optional<Router> next =
      reaimed(rs.router, arm, updated, rs.store().recent_decisions(rs.router.calibration()->window));
  if (next) rs.store().write_calibration(next->cost_weight(), *next->calibration(), g);
  return next;
}

}  // namespace

RouteResult route_request(RouteState& rs, RoutePeers& peers, const RouteRequest& r) {
  const int dim = rs.options().dim;
  const std::vector<int64_t>& example_ids = r.example_ids;
  // Similarities of the selected examples; their utilities come from selection's model,
  // which also prepares the decision's training sample.
  std::vector<double> sims;
  sims.reserve(example_ids.size());
  std::vector<float> vec(dim);
  for (int64_t id : example_ids) {
    double quality = 0;
    if (!rs.store().example(id, dim, quality, vec.data()))
      throw Error("iccache_route: example " + std::to_string(id) + " of example_ids_json is not in " +
                  rs.table() + "; expected ids of existing examples (from a MATCH on " + rs.table() + ")");
    sims.push_back(example_similarity(r.request.data(), vec.data(), dim));
  }
  const std::vector<double> utilities =
      peers.utilities(r.request.data(), r.request_text, r.request_bytes > 0, example_ids, sims, r.at);
  std::vector<ExampleSignal> signals;
  signals.reserve(example_ids.size());
  for (size_t i = 0; i < sims.size(); ++i) signals.push_back({sims[i], utilities[i]});
  const Features x = rs.features.build(r.request.data(), signals, r.request_bytes);

  LoadTracker load = rs.load;  // adopted after the write
  load.arrive(r.at);
  const int64_t id = rs.last_decision + 1;
  const Decision d = rs.router.decide(x, load.load_at(r.at), static_cast<uint64_t>(id));

  DecisionRow row;
  row.id = id;
  row.time = r.at;
  row.arm = rs.router.config().arms[d.arm].name;
  row.explore = d.explore;
  row.want_feedback = d.want_feedback;
  row.score = d.score;
  row.load = d.load;
  row.features = x;
  row.request.assign(reinterpret_cast<const char*>(r.request.data()), sizeof(float) * dim);
  row.example_ids = id_list_json(example_ids);
  if (d.shadow >= 0) row.shadow = rs.router.config().arms[d.shadow].name;
  // Counterfactual labels: the baseline (the served arm's expected reward for this context)
  // travels with the sample, and a probe shows only part of the selection. The decision row
  // keeps every given id, so that forgetting an example also forgets the probes it was in.
  std::vector<int64_t> shown_ids = example_ids;
  std::string trailer;
  if (const auto p = select::probe_for(rs.options(), row.arm, id, example_ids.size())) {
    trailer = select::encode_trailer(p->kept, rs.router.arm(d.arm).mean(x));
    shown_ids.clear();
    for (size_t i = 0; i < example_ids.size(); ++i)
      if (p->kept[i]) shown_ids.push_back(example_ids[i]);
  }
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] {
    rs.store().insert_decision(row);
    peers.log_sample(id, r.at, trailer);
    rs.store().write_route_state(load.state(), id, g);
    // Age is measured on the clock, never past it: a caller's future `at` must not prune
    // other callers' pending decisions.
    if (const auto p = log_prune_due(id, std::min(r.at, r.now), rs.options().route))
      rs.store().prune(p->before, p->up_to_id, p->batch);
  });
  rs.load = load;
  rs.last_decision = id;
  rs.generation = g;
  return {id, row.arm, d.score, d.load, d.explore, d.want_feedback, row.shadow, id_list_json(shown_ids)};
}

std::vector<int64_t> shown_examples(const RouteState& rs, const DecisionRow& row, std::string_view function) {
  std::optional<std::vector<int64_t>> ids = parse_id_list(row.example_ids);
  // A damaged log row ("-", 20 digits) is a clear error.
  if (!ids)
    throw CorruptData(std::string(function) + ": decision " + std::to_string(row.id) + " of " + rs.table() +
                      " has example_ids '" + row.example_ids + "', which is not a JSON array of example ids; " +
                      rs.table() + "_decisions is damaged");
  return std::move(*ids);
}

void give_feedback(RouteState& rs, RoutePeers& peers, int64_t decision, double reward, std::string_view arm_name,
                   const std::string* tenant, double now) {
  constexpr std::string_view f = "iccache_feedback";
  std::optional<DecisionRow> row = rs.store().decision(decision);
  if (!row)
    throw Error("iccache_feedback: " + rs.table() + " has no decision " + std::to_string(decision) +
                "; expected the decision id returned by iccache_route (decisions older than"
                " decision_ttl or beyond decision_limit are pruned)");
  if (tenant)  // tenant model: the decision's examples must all be that tenant's
    peers.require_tenant_examples(shown_examples(rs, *row, f), *tenant, f, "decision " + std::to_string(decision));
  const RewardTarget to =
      reward_target(rs.router, {decision, row->arm, row->shadow, row->reward, row->shadow_reward}, arm_name, rs.table());
  LinearArm updated = rs.router.arm(to.arm);
  updated.update(row->features, reward);
  // The shadow arm's answer never reached the user: its reward trains that arm and, when it
  // used the examples, selection, but leaves the example manager's statistics (uses,
  // offloads of what was served) alone.
  manage::FeedbackEvent event;
  event.decision = decision;
  event.served_model = row->arm;
  event.reward = reward;
  event.time = now;
  if (!to.shadow) event.example_ids = shown_examples(rs, *row, f);
  const int64_t g = rs.next_generation();
  std::optional<Router> next;
  in_savepoint(rs, [&] {
    if (to.shadow) rs.store().set_shadow_reward(decision, reward);
    else rs.store().set_reward(decision, reward, event.time);
    rs.store().write_arm(rs.stored_arm(to.arm, updated), g);
    if (to.shadow) {
      peers.selection_feedback(decision, row->shadow, reward, event.time, !row->reward);
    } else {
      peers.example_feedback(event);
      peers.selection_feedback(decision, row->arm, reward, event.time, !row->shadow.empty() && !row->shadow_reward);
    }
    next = reaim(rs, to.arm, updated, g);
  });
  if (next) rs.router = std::move(*next);
  else rs.router.arm(to.arm) = updated;
  rs.generation = g;
}

int64_t undo_rewards(RouteState& rs, const std::vector<int64_t>& decisions) {
  std::vector<DecisionRow> rows;  // owns the arm names `given` points into
  for (int64_t id : decisions)
    if (std::optional<DecisionRow> row = rs.store().decision(id); row && row->reward) rows.push_back(std::move(*row));
  std::vector<GivenReward> given;
  for (const DecisionRow& row : rows) given.push_back({row.arm, row.features, *row.reward});
  const UndoneRewards undone = route::undo_rewards(rs.router, given);
  if (undone.count == 0) return 0;
  const int64_t g = rs.next_generation();
  for (int i = 0; i < rs.router.arm_count(); ++i)
    if (undone.changed[i]) rs.store().write_arm(rs.stored_arm(i, undone.arms[i]), g);
  for (int i = 0; i < rs.router.arm_count(); ++i)
    if (undone.changed[i]) rs.router.arm(i) = undone.arms[i];
  rs.generation = g;
  return undone.count;
}

double set_manual_load(RouteState& rs, std::optional<double> rps, double now) {
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] { rs.store().write_manual_load(rps, g); });
  rs.load.set_manual(rps);
  rs.generation = g;
  return rs.current_load(now);
}

double calibrate(RouteState& rs, double share, int64_t window) {
  const std::vector<LoggedDecision> recent = rs.store().recent_decisions(window);
  CalibrationResult c;
  try {
    c = calibrate_router(rs.router, recent, share);
    c.calibration.window = window;  // re-aims use the window asked for, as decisions accumulate
  } catch (const Error& e) {
    throw Error("iccache_calibrate: " + rs.table() + ": " + e.what());
  }
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] { rs.store().write_calibration(c.cost_weight, c.calibration, g); });
  rs.router.set_cost_weight(c.cost_weight);
  rs.router.set_calibration(std::move(c.calibration));
  rs.generation = g;
  return c.cost_weight;
}

}  // namespace iccache::route
