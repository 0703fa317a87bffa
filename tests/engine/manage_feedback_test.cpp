// The example manager's feedback loop (engine/manage/example_feedback.h) over an in-memory
// statistics store: each example credited once, missing ones skipped, refusals before writes.
#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "manage/example_feedback.h"

namespace iccache::manage {
namespace {

struct FakeStats : StatsStore {
  std::map<int64_t, ExampleStats> rows;
  int writes = 0;
  bool read(int64_t id, ExampleStats& out) override {
    auto it = rows.find(id);
    if (it == rows.end()) return false;
    out = it->second;
    return true;
  }
  void write(int64_t id, const ExampleStats& s) override {
    ++writes;
    rows[id] = s;
  }
};

TEST(ManageFeedback, CreditsEachExistingExampleOnce) {
  FakeStats store;
  store.rows[1].decay_at = 100;
  store.rows[3].decay_at = 100;
  TableOptions o;  // small 0.1, large 1.0; success_reward 0.5
  FeedbackEvent e;
  e.example_ids = {3, 1, 3, 9};  // 9 evicted since
  e.served_model = "small";
  e.reward = 0.8;
  e.time = 100;
  EXPECT_EQ(apply_example_feedback(store, "ex", o, e), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(store.writes, 2);
  const ExampleStats& s = store.rows[3];
  EXPECT_EQ(s.uses, 1);
  EXPECT_EQ(s.offloads, 1);
  EXPECT_DOUBLE_EQ(s.gain, 0.2 * 0.1);  // (1 - 0.8) x 0.1 / 1
  EXPECT_DOUBLE_EQ(s.quality_ema, 0.8);
  EXPECT_DOUBLE_EQ(s.value, 2);  // 1 (new) + the offload: no time passed since decay_at
  EXPECT_DOUBLE_EQ(s.decay_at, 100);
}

TEST(ManageFeedback, AnUnknownModelIsRefusedBeforeAnyWrite) {
  FakeStats store;
  store.rows[1] = ExampleStats{};
  FeedbackEvent e;
  e.example_ids = {1};
  e.served_model = "medium";
  e.reward = 0.5;
  EXPECT_THROW(apply_example_feedback(store, "ex", TableOptions{}, e), Error);
  EXPECT_EQ(store.writes, 0);
}

}  // namespace
}  // namespace iccache::manage
