// The routing operations behind the SQL functions: each validates everything first, then
// writes inside one SAVEPOINT, and updates the in-memory router only after the write
// succeeded (a failure drops the cache, so the next call reloads from the file).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iccache::ext {

struct Table;

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

// iccache_route: request is a unit vector of dim floats; request_bytes its text length (0 for
// a vector); example_ids the selected examples, best first; at the arrival time.
// request_text: the request when the caller passed TEXT (selection's lexical features).
RouteResult route_request(Table& t, const std::vector<float>& request, int64_t request_bytes,
                          const std::vector<int64_t>& example_ids, double at,
                          std::string_view request_text = {});

// iccache_feedback: reward in [0, 1] for a logged decision: updates the served arm's model
// and, through record_example_feedback, the statistics of the examples it was shown.
// arm: empty or the served arm, or the decision's shadow arm (its reward when it was run off
// the user's path): that trains the shadow arm's model on the same context, and selection
// when the shadow arm used the examples.
// With a tenant, a decision that showed an example of another tenant is refused.
void give_feedback(Table& t, int64_t decision, double reward, std::string_view arm = {},
                   const std::string* tenant = nullptr);

// iccache_load: sets (rps) or clears (nullopt) the manual load. Returns the load routing uses now.
double set_manual_load(Table& t, std::optional<double> rps);
double current_load(Table& t);

// iccache_calibrate: sets and returns the cost weight that sends `share` of the newest
// `window` decisions to the most expensive arm.
double calibrate(Table& t, double share, int64_t window);

}  // namespace iccache::ext
