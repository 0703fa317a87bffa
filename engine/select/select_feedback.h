// How selection learns from routing. iccache_route calls route_utilities() for the examples
// it is given (their utilities become the router's utility features) and logs the pair
// features and the serving threshold as the decision's sample (log_selection_sample, inside
// the route savepoint). iccache_feedback calls record_selection_feedback() inside its
// savepoint: the sample gets its label (the reward), the utility model takes one online step
// per example shown, and the threshold tuner adds reward - prefill_penalty x shown to the
// threshold that served the request. 'train' refits the model from all labelled samples.
//
// Which arms teach and what a reward teaches are in learning.h: the samples of decisions
// whose arm does not teach are dropped.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "select/select_state.h"

namespace iccache::select {

// Utilities of the examples `ids` (with their similarities `sims` to the request) and the
// decision's pending sample. ss: refreshed, its candidates following the attribute caches.
// text/has_text: the request text when the caller passed TEXT; at: the arrival time
// (examples' ages are measured to it, so replayed traffic with its own timestamps gets the
// same features every time).
std::vector<double> route_utilities(SelectState& ss, const float* request, std::string_view text, bool has_text,
                                    const std::vector<int64_t>& ids, const std::vector<double>& sims, double at,
                                    SampleRow& sample);
// Writes the sample under `decision` and prunes old samples now and then.
void log_selection_sample(SelectState& ss, SampleRow& sample, int64_t decision, double at);
// keep_for_shadow: the arm does not teach but the decision's shadow arm may, so an
// unlabelled sample stays for the shadow's reward. Memory follows the write; if the
// enclosing savepoint rolls back, the stored nonce goes back too and the next use reloads.
void record_selection_feedback(SelectState& ss, int64_t decision, std::string_view served_arm, double reward,
                               double at, bool keep_for_shadow = false);
// INSERT INTO ex(ex) VALUES('train'): MAP refit of the utility model on the feedback log.
// Needs no refresh (a refit must also work when the stored model is damaged): the next use
// loads the new model and the tuner. Returns the number of samples it was fitted on.
int64_t train_utility_model(SelectState& ss);

}  // namespace iccache::select
