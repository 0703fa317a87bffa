// Example feedback without the router: iccache_example_feedback('ex', '[ids]', model, reward
// [, time [, tenant]]) (functions.h) for serving code that routes by itself (or replays logged outcomes) but wants
// the example manager's statistics, replay queue and eviction value all the same.
#pragma once
#include <cstdint>

#include "ext/manage/example_feedback.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// record_example_feedback, returning how many of the examples still existed and were updated.
int64_t apply_example_feedback(Table& t, const FeedbackEvent& event);

}  // namespace iccache::ext
