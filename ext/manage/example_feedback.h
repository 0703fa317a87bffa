// The example manager's side of feedback, glue side: iccache_feedback (routing) and
// iccache_example_feedback fold a reward into the statistics of the examples shown
// (engine/manage/example_feedback.h) through the table's ManageStore, and tell every
// connection's attribute cache which examples changed.
#pragma once
#include <cstdint>

#include "manage/example_feedback.h"

namespace iccache::ext {

struct Table;

// manage::apply_example_feedback on t; returns how many of the examples still existed and
// were updated. Runs inside the caller's statement/transaction.
int64_t apply_example_feedback(Table& t, const manage::FeedbackEvent& event);

}  // namespace iccache::ext
