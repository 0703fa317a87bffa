#include "ext/route/route_ops.h"

#include <algorithm>

#include "common/id_list.h"
#include "common/number_format.h"
#include "ext/manage/example_feedback.h"
#include "route/calibrate.h"
#include "select/counterfactual.h"
#include "route/decision_log.h"
#include "ext/route/route_args.h"
#include "route/features.h"
#include "ext/route/route_state.h"
#include "ext/select/select_feedback.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// Runs write() inside the router savepoint; on any failure rolls it back and drops the
// in-memory cache before rethrowing.
template <class Fn>
void in_savepoint(RouteState& rs, Fn&& write) {
  rs.store.begin();
  try {
    write();
    rs.store.commit();
  } catch (...) {
    rs.loaded = false;
    try {
      rs.store.rollback();
    } catch (...) {
      // The original error matters more; the savepoint goes with the statement anyway.
    }
    throw;
  }
}

// The calibration is a standing target (route::reaim_due): the router to adopt after `arm`
// learned `updated`, re-aimed and its calibration written inside the caller's savepoint, or
// nullopt when it is not due.
std::optional<route::Router> reaim(RouteState& rs, int arm, const route::LinearArm& updated, int64_t g) {
  if (!route::reaim_due(rs.router)) return std::nullopt;
  std::optional<route::Router> next = route::reaimed(
      rs.router, arm, updated, rs.store.recent_decisions(rs.router.calibration()->window));
  if (next) rs.store.write_calibration(next->cost_weight(), *next->calibration(), g);
  return next;
}

}  // namespace

RouteResult route_request(Table& t, const std::vector<float>& request, int64_t request_bytes,
                          const std::vector<int64_t>& example_ids, double at,
                          std::string_view request_text) {
  RouteState& rs = route_state(t);
  const int dim = t.options.dim;
  // Similarities of the selected examples; their utilities come from selection's model
  // (select_feedback.h), which also prepares the decision's training sample.
  std::vector<double> sims;
  sims.reserve(example_ids.size());
  std::vector<float> vec(dim);
  for (int64_t id : example_ids) {
    double quality = 0;
    if (!rs.store.example(id, dim, quality, vec.data()))
      throw Error("iccache_route: example " + std::to_string(id) + " of example_ids_json is not in " +
                  t.name + "; expected ids of existing examples (from a MATCH on " + t.name + ")");
    sims.push_back(route::example_similarity(request.data(), vec.data(), dim));
  }
  SampleRow sample;
  const std::vector<double> utilities =
      route_utilities(t, request.data(), request_text, request_bytes > 0, example_ids, sims, at, sample);
  std::vector<route::ExampleSignal> signals;
  signals.reserve(example_ids.size());
  for (size_t i = 0; i < sims.size(); ++i) signals.push_back({sims[i], utilities[i]});
  const route::Features x = rs.features.build(request.data(), signals, request_bytes);

  route::LoadTracker load = rs.load;  // adopted after the write
  load.arrive(at);
  const int64_t id = rs.last_decision + 1;
  const route::Decision d = rs.router.decide(x, load.load_at(at), static_cast<uint64_t>(id));

  DecisionRow row;
  row.id = id;
  row.time = at;
  row.arm = rs.router.config().arms[d.arm].name;
  row.explore = d.explore;
  row.want_feedback = d.want_feedback;
  row.score = d.score;
  row.load = d.load;
  row.features = x;
  row.request.assign(reinterpret_cast<const char*>(request.data()), sizeof(float) * dim);
  row.example_ids = id_list_json(example_ids);
  if (d.shadow >= 0) row.shadow = rs.router.config().arms[d.shadow].name;
  // Counterfactual labels: the baseline (the served arm's expected reward for this context)
  // travels with the sample, and a probe shows only part of the selection. The decision row
  // keeps every given id, so that forgetting an example also forgets the probes it was in.
  std::vector<int64_t> shown_ids = example_ids;
  if (const auto p = select::probe_for(t.options, row.arm, id, example_ids.size())) {
    sample.features += select::encode_trailer(p->kept, rs.router.arm(d.arm).mean(x));
    shown_ids.clear();
    for (size_t i = 0; i < example_ids.size(); ++i)
      if (p->kept[i]) shown_ids.push_back(example_ids[i]);
  }
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] {
    rs.store.insert_decision(row);
    log_selection_sample(t, sample, id, at);
    rs.store.write_route_state(load.state(), id, g);
    // Age is measured on the clock, never past it: a caller's future `at` must not prune
    // other callers' pending decisions.
    if (const auto p = route::log_prune_due(id, std::min(at, wall_clock_now()), t.options.route))
      rs.store.prune(p->before, p->up_to_id, p->batch);
  });
  rs.load = load;
  rs.last_decision = id;
  rs.generation = g;
  return {id, row.arm, d.score, d.load, d.explore, d.want_feedback, row.shadow, id_list_json(shown_ids)};
}

namespace {

// The examples decision `row` showed: iccache_route wrote them as a JSON array of integers.
std::vector<int64_t> shown_examples(const Table& t, const DecisionRow& row) {
  std::optional<std::vector<int64_t>> ids = parse_id_list(row.example_ids);
  // A damaged log row ("-", 20 digits) is a clear error.
  if (!ids)
    throw SqlError(SQLITE_CORRUPT_VTAB, "iccache_feedback: decision " + std::to_string(row.id) + " of " +
                                            t.name + " has example_ids '" + row.example_ids +
                                            "', which is not a JSON array of example ids; " + t.name +
                                            "_decisions is damaged");
  return std::move(*ids);
}

}  // namespace

void give_feedback(Table& t, int64_t decision, double reward, std::string_view arm_name,
                   const std::string* tenant) {
  RouteState& rs = route_state(t);
  std::optional<DecisionRow> row = rs.store.decision(decision);
  if (!row)
    throw Error("iccache_feedback: " + t.name + " has no decision " + std::to_string(decision) +
                "; expected the decision id returned by iccache_route (decisions older than"
                " decision_ttl or beyond decision_limit are pruned)");
  if (tenant)  // tenant model: the decision's examples must all be that tenant's
    require_tenant_examples(t, shown_examples(t, *row), *tenant, "iccache_feedback",
                            "decision " + std::to_string(decision));
  const route::RewardTarget to = route::reward_target(
      rs.router, {decision, row->arm, row->shadow, row->reward, row->shadow_reward}, arm_name, t.name);
  route::LinearArm updated = rs.router.arm(to.arm);
  updated.update(row->features, reward);
  // The shadow arm's answer never reached the user: its reward trains that arm and, when it
  // used the examples, selection, but leaves the example manager's statistics (uses,
  // offloads of what was served) alone.
  FeedbackEvent event;
  event.decision = decision;
  event.served_model = row->arm;
  event.reward = reward;
  event.time = wall_clock_now();
  if (!to.shadow) event.example_ids = shown_examples(t, *row);
  const int64_t g = rs.next_generation();
  std::optional<route::Router> next;
  in_savepoint(rs, [&] {
    if (to.shadow) rs.store.set_shadow_reward(decision, reward);
    else rs.store.set_reward(decision, reward, event.time);
    rs.store.write_arm(rs.stored_arm(to.arm, updated), g);
    if (to.shadow) {
      record_selection_feedback(t, decision, row->shadow, reward, event.time, !row->reward);
    } else {
      record_example_feedback(t, event);
      record_selection_feedback(t, decision, row->arm, reward, event.time,
                                !row->shadow.empty() && !row->shadow_reward);
    }
    next = reaim(rs, to.arm, updated, g);
  });
  if (next) rs.router = std::move(*next);
  else rs.router.arm(to.arm) = updated;
  rs.generation = g;
}

double set_manual_load(Table& t, std::optional<double> rps) {
  RouteState& rs = route_state(t);
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] { rs.store.write_manual_load(rps, g); });
  rs.load.set_manual(rps);
  rs.generation = g;
  return rs.current_load(wall_clock_now());
}

double current_load(Table& t) { return route_state(t).current_load(wall_clock_now()); }

double calibrate(Table& t, double share, int64_t window) {
  RouteState& rs = route_state(t);
  const std::vector<route::LoggedDecision> recent = rs.store.recent_decisions(window);
  route::CalibrationResult c;
  try {
    c = route::calibrate_router(rs.router, recent, share);
    c.calibration.window = window;  // re-aims use the window asked for, as decisions accumulate
  } catch (const Error& e) {
    throw Error("iccache_calibrate: " + t.name + ": " + e.what());
  }
  const int64_t g = rs.next_generation();
  in_savepoint(rs, [&] { rs.store.write_calibration(c.cost_weight, c.calibration, g); });
  rs.router.set_cost_weight(c.cost_weight);
  rs.router.set_calibration(std::move(c.calibration));
  rs.generation = g;
  return c.cost_weight;
}

}  // namespace iccache::ext
