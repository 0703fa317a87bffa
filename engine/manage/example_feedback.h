// The example manager's side of feedback: iccache_feedback (routing) and
// iccache_example_feedback fold one decision's reward into the statistics of each example it
// showed, O(1) per example (example_stats.h), through a small store of those statistics
// (ext/manage/manage_store.h implements it over T_data's columns).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manage/example_stats.h"
#include "options/table_options.h"

namespace iccache::manage {

struct FeedbackEvent {
  int64_t decision = 0;
  std::vector<int64_t> example_ids;  // examples prepended in that decision (may be empty)
  std::string served_model;          // the arm that served the request
  double reward = 0;                 // in [0, 1]
  double time = 0;                   // seconds since 1970 when the feedback arrived
};

// One example's statistics as stored.
class StatsStore {
 public:
  virtual ~StatsStore() = default;
  // The statistics of example id; false when it does not exist.
  virtual bool read(int64_t id, ExampleStats& out) = 0;
  virtual void write(int64_t id, const ExampleStats& s) = 0;
};

// Updates the statistics of every example in event.example_ids that still exists (evicted or
// deleted ones are skipped) and returns the ids updated, ascending. Throws iccache::Error
// naming `table`, before anything is written, when the event is out of range
// (feedback_observation).
std::vector<int64_t> apply_example_feedback(StatsStore& store, std::string_view table, const TableOptions& o,
                                            const FeedbackEvent& event);

}  // namespace iccache::manage
