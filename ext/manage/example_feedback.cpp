// record_example_feedback (example_feedback.h): folds one routing decision's reward into the
// statistics of each example it showed, O(1) per example (engine/manage/example_stats.h).
#include "ext/manage/example_feedback.h"

#include <algorithm>
#include <cmath>

#include "ext/manage/manage_feedback.h"
#include "ext/manage/manage_store.h"
#include "ext/select/select_feedback.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

int64_t apply_example_feedback(Table& t, const FeedbackEvent& event) {
  if (!std::isfinite(event.reward) || event.reward < 0 || event.reward > 1)
    throw Error(t.name + ": feedback reward " + std::to_string(event.reward) +
                " is not valid; expected a number from 0 to 1");
  if (!std::isfinite(event.time) || event.time < 0)
    throw Error(t.name + ": feedback time " + std::to_string(event.time) +
                " is not valid; expected seconds since 1970 (a number >= 0)");
  const int arm = t.options.model_index(event.served_model);
  if (arm < 0)
    throw Error(t.name + ": feedback names the unknown model '" + event.served_model +
                "'; expected one of " + t.options.model_list());
  FeedbackObservation obs;
  obs.reward = event.reward;
  obs.served_cost = t.options.models[arm].cost;
  for (const ModelArm& m : t.options.models) obs.max_cost = std::max(obs.max_cost, m.cost);
  obs.time = event.time;
  const StatsParams params = stats_params(t.options);

  // An example shown twice in one decision is one use.
  std::vector<int64_t> ids = event.example_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ManageStore store(t.storage);
  int64_t updated = 0;
  for (int64_t id : ids) {
    ExampleStats s;
    if (!store.read(id, s)) continue;  // evicted or deleted since the decision
    apply_feedback(s, obs, params);
    store.write(id, s);
    ++updated;
  }
  select_examples_changed(t, ids);  // selection caches uses and offloads
  return updated;
}

void record_example_feedback(Table& t, const FeedbackEvent& event) { apply_example_feedback(t, event); }

}  // namespace iccache::ext
