#include "manage/example_feedback.h"

namespace iccache::manage {

std::vector<int64_t> apply_example_feedback(StatsStore& store, std::string_view table, const TableOptions& o,
                                            const FeedbackEvent& event) {
  const FeedbackObservation obs = feedback_observation(table, o.models, event.served_model, event.reward, event.time);
  const StatsParams params = stats_params(o.manage);
  std::vector<int64_t> updated;
  for (int64_t id : credited_examples(event.example_ids)) {
    ExampleStats s;
    if (!store.read(id, s)) continue;  // evicted or deleted since the decision
    apply_feedback(s, obs, params);
    store.write(id, s);
    updated.push_back(id);
  }
  return updated;
}

}  // namespace iccache::manage
