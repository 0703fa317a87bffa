// Per-example statistics of the example manager and the formulas that update them on each
// feedback (PAPER.md, example manager). Kept in O(1) per feedback: decayed counters store a
// value and the time it was last brought up to date, so nothing is ever rescanned.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "options/table_options.h"

namespace iccache::manage {

// Tuning of the statistics; parsed from the table options.
struct StatsParams {
  double ema_alpha = 0.2;        // weight of a new observation in the quality and gain EMAs
  double half_life = 604800.0;   // seconds for a decayed counter to halve (7 days)
  double success_reward = 0.5;   // reward at or above which a cheaper arm's answer counts as an offload
};

// One example's statistics. Everything here is persisted with the example.
struct ExampleStats {
  int64_t uses = 0;          // feedbacks that involved the example
  int64_t offloads = 0;      // of those, served by a cheaper arm with reward >= success_reward
  double gain = 0;           // EMA of G(e) = (1 - reward) * served cost / max cost
  double quality_ema = 0;    // EMA of the reward of responses produced with the example
  int64_t ema_count = 0;     // observations in the EMAs since insert or the last replay
  double value = 1;          // decayed offload successes (eviction value), as of decay_at
  double recent_uses = 0;    // decayed uses (replay priority), as of decay_at
  double decay_at = 0;       // seconds since 1970 when value and recent_uses were last decayed
};

// One feedback as the example manager sees it.
struct FeedbackObservation {
  double reward = 0;        // in [0, 1]: normalised quality of the response
  double served_cost = 0;   // relative cost of the arm that served
  double max_cost = 0;      // the most expensive arm's cost (normalises served_cost)
  double time = 0;          // seconds since 1970
};

// The statistics' tuning from the table's example-manager options.
StatsParams stats_params(const ManageOptions& o);

// One feedback on `table` as the example manager sees it: the served model's cost and the
// most expensive model's. Throws iccache::Error, changing nothing, when the reward is not a
// number from 0 to 1, the time is not a number >= 0 (seconds since 1970), or the served
// model is not one of `models`.
FeedbackObservation feedback_observation(std::string_view table, std::span<const ModelArm> models,
                                         std::string_view served_model, double reward, double time);

// x decayed from time `from` to time `to`: x * 2^(-(to - from) / half_life). A `to` earlier
// than `from` does not grow x (clocks of different writers may disagree slightly).
double decay(double x, double from, double to, double half_life);

// G(e) of one observation: (1 - reward) * served_cost / max_cost (0 when max_cost is 0).
double potential_gain(const FeedbackObservation& o);

// Whether the observation is an offloading success: a cheaper arm than the most expensive
// one served, and the reward reached success_reward.
bool is_offload(const FeedbackObservation& o, const StatsParams& p);

// The examples one decision's feedback credits, ascending: each once, since an example shown
// twice in one decision is one use.
std::vector<int64_t> credited_examples(std::span<const int64_t> shown);

// Folds one feedback into s:
//   uses += 1; offloads += is_offload
//   gain, quality_ema: set to G and reward at the first observation (ema_count == 0),
//                      otherwise x += alpha * (observation - x); ema_count += 1
//   t = max(time, decay_at); value = decay(value) + is_offload; recent_uses = decay(recent_uses) + 1;
//   decay_at = t
// A feedback older than the last one counts as arriving together with it.
void apply_feedback(ExampleStats& s, const FeedbackObservation& o, const StatsParams& p);

// After a replay (the example's response was regenerated): its potential gain is spent and
// the EMAs describe the old response, so they start again.
void reset_after_replay(ExampleStats& s);

// Replay priority at time now: gain * recent uses decayed to now. recent_uses counts uses
// weighted by 2^(-age/half_life); for a steady rate r it tends to r * half_life / ln 2, the
// number of uses expected over the next half_life / ln 2 seconds, so this is the gain a
// replay now is expected to bring over that horizon, in units of one request to the most
// expensive model (the unit of replay_cost).
double expected_gain(const ExampleStats& s, double now, const StatsParams& p);

}  // namespace iccache::manage
