#include "manage/example_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/error.h"

namespace iccache::manage {

StatsParams stats_params(const ManageOptions& o) {
  StatsParams p;
  p.ema_alpha = o.ema_alpha;
  p.half_life = o.half_life;
  p.success_reward = o.success_reward;
  return p;
}

FeedbackObservation feedback_observation(std::string_view table, std::span<const ModelArm> models,
                                         std::string_view served_model, double reward, double time) {
  const std::string t(table);
  if (!std::isfinite(reward) || reward < 0 || reward > 1)
    throw Error(t + ": feedback reward " + std::to_string(reward) + " is not valid; expected a number from 0 to 1");
  if (!std::isfinite(time) || time < 0)
    throw Error(t + ": feedback time " + std::to_string(time) +
                " is not valid; expected seconds since 1970 (a number >= 0)");
  FeedbackObservation obs;
  obs.reward = reward;
  obs.time = time;
  const ModelArm* served = nullptr;
  for (const ModelArm& m : models) {
    if (m.name == served_model && !served) served = &m;
    obs.max_cost = std::max(obs.max_cost, m.cost);
  }
  if (!served) {
    std::string names;
    for (const ModelArm& m : models) names += (names.empty() ? "" : ", ") + m.name;
    throw Error(t + ": feedback names the unknown model '" + std::string(served_model) + "'; expected one of " + names);
  }
  obs.served_cost = served->cost;
  return obs;
}

double decay(double x, double from, double to, double half_life) {
  if (to <= from) return x;
  return x * std::exp2(-(to - from) / half_life);
}

double potential_gain(const FeedbackObservation& o) {
  if (o.max_cost <= 0) return 0;
  return (1.0 - o.reward) * (o.served_cost / o.max_cost);
}

bool is_offload(const FeedbackObservation& o, const StatsParams& p) {
  return o.served_cost < o.max_cost && o.reward >= p.success_reward;
}

std::vector<int64_t> credited_examples(std::span<const int64_t> shown) {
  std::vector<int64_t> ids(shown.begin(), shown.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void apply_feedback(ExampleStats& s, const FeedbackObservation& o, const StatsParams& p) {
  const bool offload = is_offload(o, p);
  const double g = potential_gain(o);
  // Counters saturate at the int64 maximum (a row may be written with any count >= 0):
  // never wrap to negative.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (s.uses < kMax) s.uses += 1;
  if (offload && s.offloads < kMax) s.offloads += 1;
  if (s.ema_count == 0) {
    s.gain = g;
    s.quality_ema = o.reward;
  } else {
    s.gain += p.ema_alpha * (g - s.gain);
    s.quality_ema += p.ema_alpha * (o.reward - s.quality_ema);
  }
  s.ema_count += 1;
  const double t = std::max(o.time, s.decay_at);
  s.value = decay(s.value, s.decay_at, t, p.half_life) + (offload ? 1.0 : 0.0);
  s.recent_uses = decay(s.recent_uses, s.decay_at, t, p.half_life) + 1.0;
  s.decay_at = t;
}

void reset_after_replay(ExampleStats& s) {
  s.gain = 0;
  s.quality_ema = 0;
  s.ema_count = 0;
}

double expected_gain(const ExampleStats& s, double now, const StatsParams& p) {
  return s.gain * decay(s.recent_uses, s.decay_at, now, p.half_life);
}

}  // namespace iccache::manage
