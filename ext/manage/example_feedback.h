// The example manager's side of feedback: iccache_feedback (routing) calls this once per
// decision with the examples that were shown, so per-example statistics (uses, offloads,
// quality EMA, gain G(e), decayed offload value) follow every reward.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace iccache::ext {

struct Table;

struct FeedbackEvent {
  int64_t decision = 0;
  std::vector<int64_t> example_ids;  // examples prepended in that decision (may be empty)
  std::string served_model;          // the arm that served the request
  double reward = 0;                 // in [0, 1]
  double time = 0;                   // seconds since 1970 when the feedback arrived
};

// Updates the statistics of every example in event.example_ids that still exists
// (evicted or deleted ones are skipped). Runs inside the caller's statement/transaction.
void record_example_feedback(Table& t, const FeedbackEvent& event);

}  // namespace iccache::ext
