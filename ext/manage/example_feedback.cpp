// record_example_feedback (example_feedback.h): folds one routing decision's reward into the
// statistics of each example it showed, O(1) per example (engine/manage/example_stats.h).
#include "ext/manage/example_feedback.h"

#include "ext/manage/manage_feedback.h"
#include "ext/manage/manage_store.h"
#include "ext/select/select_feedback.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

int64_t apply_example_feedback(Table& t, const FeedbackEvent& event) {
  const manage::FeedbackObservation obs =
      manage::feedback_observation(t.name, t.options.models, event.served_model, event.reward, event.time);
  const manage::StatsParams params = manage::stats_params(t.options.manage);

  std::vector<int64_t> updated;
  for (int64_t id : manage::credited_examples(event.example_ids)) {
    manage::ExampleStats s;
    if (!t.manage.read(id, s)) continue;  // evicted or deleted since the decision
    manage::apply_feedback(s, obs, params);
    t.manage.write(id, s);
    updated.push_back(id);
  }
  select_examples_changed(t, updated);  // selection caches uses and offloads
  return static_cast<int64_t>(updated.size());
}

void record_example_feedback(Table& t, const FeedbackEvent& event) { apply_example_feedback(t, event); }

}  // namespace iccache::ext
