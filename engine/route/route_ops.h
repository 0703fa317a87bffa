// The routing operations behind iccache_route, iccache_feedback, iccache_load and
// iccache_calibrate: each validates everything first, then writes between the store's
// begin() and commit(), and updates the in-memory router only after the write succeeded (a
// failure drops the cache, so the next call reloads from the store).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/stat_rows.h"
#include "manage/example_feedback.h"
#include "route/route_state.h"

namespace iccache::route {

struct RouteResult {
  int64_t decision = 0;
  std::string model;
  double score = 0;
  double load = 0;
  bool explore = false;
  bool want_feedback = false;
  std::string shadow;  // the arm to run off the user's path for comparison; empty: none
  // The example ids to prepend, as a JSON array: all of example_ids, or a counterfactual
  // probe's part of them (utility_labels='counterfactual', select/counterfactual.h).
  std::string show_ids;
};

// What routing asks of the table's other parts; the glue (ext/route/route_ops.cpp) wires
// them to selection (ext/select/select_feedback.h), the example manager and the tenant check.
class RoutePeers {
 public:
  virtual ~RoutePeers() = default;
  // Selection's utilities of examples `ids` (similarities `sims` to the request) and the
  // decision's pending training sample, kept until log_sample. text/has_text: the request
  // text when the caller passed TEXT; at: the arrival time.
  virtual std::vector<double> utilities(const float* request, std::string_view text, bool has_text,
                                        const std::vector<int64_t>& ids, const std::vector<double>& sims,
                                        double at) = 0;
  // Writes the pending sample under `decision`, its features followed by `trailer` (a
  // counterfactual probe's, select/counterfactual.h; empty for none).
  virtual void log_sample(int64_t decision, double at, const std::string& trailer) = 0;
  // Selection learns `reward` of `arm` for the decision (select_feedback.h).
  virtual void selection_feedback(int64_t decision, std::string_view arm, double reward, double at,
                                  bool keep_for_shadow) = 0;
  // The example manager folds the reward into the statistics of the examples shown.
  virtual void example_feedback(const manage::FeedbackEvent& event) = 0;
  // Refuses any of `ids` that is an example of another tenant (the message names
  // `function` and `what`).
  virtual void require_tenant_examples(const std::vector<int64_t>& ids, const std::string& tenant,
                                       std::string_view function, std::string_view what) = 0;
};

// iccache_route: request is a unit vector of dim floats; request_bytes its text length (0 for
// a vector); example_ids the selected examples, best first; at the arrival time; now the
// clock (pruning ages are never measured past it). request_text: the request when the
// caller passed TEXT (selection's lexical features).
struct RouteRequest {
  const std::vector<float>& request;
  int64_t request_bytes = 0;
  const std::vector<int64_t>& example_ids;
  double at = 0;
  std::string_view request_text;
  double now = 0;
};
RouteResult route_request(RouteState& rs, RoutePeers& peers, const RouteRequest& r);

// iccache_feedback: reward in [0, 1] for a logged decision: updates the served arm's model
// and, through the peers, selection and the statistics of the examples it was shown.
// arm: empty or the served arm, or the decision's shadow arm (its reward when it was run off
// the user's path): that trains the shadow arm's model on the same context, and selection
// when the shadow arm used the examples. With a tenant, a decision that showed an example of
// another tenant is refused. now: the feedback's time.
void give_feedback(RouteState& rs, RoutePeers& peers, int64_t decision, double reward, std::string_view arm,
                   const std::string* tenant, double now);

// The examples decision `row` showed (iccache_route wrote them as a JSON array of integers).
// Throws CorruptData naming `function` when the row's list does not parse.
std::vector<int64_t> shown_examples(const RouteState& rs, const DecisionRow& row, std::string_view function);

// iccache_load: sets (rps) or clears (nullopt) the manual load. Returns the load routing uses now.
double set_manual_load(RouteState& rs, std::optional<double> rps, double now);

// iccache_calibrate: sets and returns the cost weight that sends `share` of the newest
// `window` decisions to the most expensive arm.
double calibrate(RouteState& rs, double share, int64_t window);

// Forget (docs/privacy.md): takes the rewards of `decisions` (those that have one) back out
// of the arms they trained, writes the arms that moved and adopts them. Returns how many
// rewards were undone. Runs inside the caller's transaction: if it rolls back, the stored
// nonce returns to its old value and the next router call reloads.
int64_t undo_rewards(RouteState& rs, const std::vector<int64_t>& decisions);

// The router's rows of iccache_stats at time now (route_stats.cpp): the bandit, the decision
// log's counts, the load, the cost weight and each arm's cost, load bias and rewards.
void router_stats(RouteState& rs, double now, StatRows& out);

}  // namespace iccache::route
