// The background training's staged write (engine/index/staged_write.h) over a fake store:
// the snapshot, the changes since it, the batches and pauses, the rounds, the switch, and
// the result dropped when the epoch moved. Time is a fake clock: no timing asserts.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "index/staged_write.h"
#include "training_store_fake.h"

namespace iccache::index {
namespace {

using testing::FakeClock;
using testing::FakeTrainingStore;

TrainingParams params() { return {4, true, 42, 10}; }

int count(const std::vector<std::string>& calls, const std::string& what) {
  return static_cast<int>(std::count(calls.begin(), calls.end(), what));
}

TEST(StagedWrite, SnapshotReadsEveryExampleInIdOrderAndWhereTheLogStood) {
  FakeTrainingStore s;
  s.add_examples(3);
  s.feed.write(2);
  TrainingSnapshot snap = read_snapshot(s, 4);
  EXPECT_EQ(snap.set.ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(snap.set.tenants, (std::vector<std::string>{"t1", "t0", "t1"}));
  EXPECT_EQ(snap.set.data, (std::vector<float>{2, 1, 1, 1, 3, 1, 2, 1, 4, 1, 0, 1}));
  ASSERT_TRUE(snap.at);
  EXPECT_EQ(snap.at->seq, 1);
  EXPECT_EQ(snap.epoch, 7);
}

TEST(StagedWrite, ChangesSinceFromTheLogOrEveryExample) {
  FakeTrainingStore s;
  s.add_examples(3);
  s.feed.write(1);
  const std::optional<Change> at = s.feed.last();
  s.feed.write(5);
  s.feed.write(0, ChangeKind::kSettings);
  s.feed.write(2);
  std::optional<Change> newest;
  auto ids = changed_since(s, at, {1, 2, 3}, &newest);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), (std::set<int64_t>{5, 2}));
  EXPECT_EQ(newest->seq, 4);
  // Nothing after: the newest is where it was.
  ids = changed_since(s, newest, {1, 2, 3}, &newest);
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(newest->seq, 4);
  // History diverged (the entry at `at` carries another nonce): every example, read and now.
  Change gone = *at;
  gone.gen = 1;
  s.examples.erase(3);
  s.examples[9] = {{1, 1, 1, 1}, "t"};
  ids = changed_since(s, gone, {1, 2, 3}, &newest);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), (std::set<int64_t>{1, 2, 3, 9}));
  EXPECT_EQ(newest->seq, 4);
  ids = changed_since(s, std::nullopt, {4}, nullptr);  // no position at all
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()), (std::set<int64_t>{1, 2, 4, 9}));
}

TEST(StagedWrite, ApplyChangesWritesOrRemovesAndStopsEvery16ChecksPastTheDeadline) {
  FakeTrainingStore s;
  s.add_examples(40);
  TrainingSnapshot snap = read_snapshot(s, 4);
  IvfTraining tr = train_ivf(snap.set, 4, true, 42);
  std::vector<int64_t> changed;
  for (int64_t id = 1; id <= 40; ++id) changed.push_back(id);
  changed.push_back(77);  // deleted meanwhile
  FakeClock clock;
  clock.t = 1;
  clock.tick = 1;
  EXPECT_EQ(apply_changes(s, tr, params(), changed, 0, 1, 0.5, clock), 15u);
  EXPECT_EQ(apply_changes(s, tr, params(), changed, 15, 1, 0.5, clock), 30u);
  EXPECT_EQ(s.rows[1].size(), 30u);
  EXPECT_EQ(apply_changes(s, tr, params(), changed, 30, 1, 1e300, clock), 41u);
  EXPECT_EQ(s.rows[1].size(), 40u);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"remove_row 1 77"}));
  EXPECT_EQ(apply_changes(s, tr, params(), changed, 41, 1, 1e300, clock), 41u);
  EXPECT_EQ(tr.index.size(), 40u);
  for (size_t i = 0; i < snap.set.size(); ++i) EXPECT_EQ(s.rows[1][snap.set.ids[i]], tr.lists[i]);
}

TEST(StagedWrite, ClearsInBatchesAndNeverTheTableInUse) {
  FakeTrainingStore s;
  for (int64_t id = 1; id <= 600; ++id) s.rows[1][id] = 0;
  FakeClock clock;
  clear_rows_table(s, 1, clock);
  EXPECT_TRUE(s.rows[1].empty());
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "clear_some 1 256", "clear_some 1 256", "clear_some 1 88",
                                               "clear_some 1 0", "commit", "begin_write", "clear_some 1 0", "commit"}));
  EXPECT_EQ(clock.pauses, (std::vector<double>{0.001, 0.001}));
  // A clock at the batch's end after two statements: two statements per transaction.
  for (int64_t id = 1; id <= 300; ++id) s.rows[1][id] = 0;
  s.calls.clear();
  clock.tick = 0.001;
  clear_rows_table(s, 1, clock);
  EXPECT_EQ(count(s.calls, "begin_write"), 2);
  EXPECT_EQ(count(s.calls, "clear_some 1 256"), 1);
  EXPECT_EQ(count(s.calls, "clear_some 1 44"), 1);
  // A clock already past the batch before the first statement (a loaded machine): each
  // transaction still clears one batch, and the table ends empty.
  for (int64_t id = 1; id <= 300; ++id) s.rows[1][id] = 0;
  s.calls.clear();
  clock.tick = 0.003;
  clear_rows_table(s, 1, clock);
  EXPECT_TRUE(s.rows[1].empty());
  EXPECT_EQ(count(s.calls, "begin_write"), 3);
  EXPECT_EQ(count(s.calls, "clear_some 1 0"), 1);
  // The table in use: left alone.
  s.rows[0][5] = 1;
  s.calls.clear();
  clear_rows_table(s, 0, clock);
  EXPECT_EQ(s.calls, (std::vector<std::string>{"begin_write", "commit"}));
  EXPECT_EQ(s.rows[0].size(), 1u);
}

TEST(StagedWrite, WritesTheOtherTableInBatchesThenSwitches) {
  FakeTrainingStore s;
  s.add_examples(200);
  s.rows[1][999] = 3;  // a killed training's row
  s.feed.write(200);
  TrainingSnapshot snap = read_snapshot(s, 4);
  IvfTraining tr = train_ivf(snap.set, 4, true, 42);
  const std::vector<int32_t> lists = tr.lists;
  TrainingStatus st;
  FakeClock clock;
  clock.tick = 0.001;  // a batch's deadline passes at its second check
  int old_slot = -1;
  ASSERT_TRUE(write_staged(s, snap, tr, params(), st, clock, old_slot));
  EXPECT_EQ(old_slot, 0);
  EXPECT_EQ(s.slot, 1);
  EXPECT_TRUE(s.alt);
  EXPECT_EQ(s.switch_changes, 0);
  EXPECT_EQ(s.finished_rows, 200);
  ASSERT_EQ(s.rows[1].size(), 200u);
  for (size_t i = 0; i < 200; ++i) EXPECT_EQ(s.rows[1][snap.set.ids[i]], lists[i]);
  // Transactions: create_alt; clearing (2); rows [0,100) (then the test hold, halfway)
  // [100,192) [192,200); the switch. Each followed by a pause.
  EXPECT_EQ(count(s.calls, "begin_write"), 7);
  EXPECT_EQ(count(s.calls, "commit"), 7);
  EXPECT_EQ(clock.pauses.size(), 7u);
  EXPECT_EQ(count(s.calls, "create_alt"), 1);
  const std::vector<std::string> tail(s.calls.end() - 5, s.calls.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"begin_write", "switch_slot 1", "finish", "note_switch_seconds", "commit"}));
  EXPECT_EQ(st.phase, "writing");
  EXPECT_DOUBLE_EQ(st.progress, 0.98);
}

// Examples 1..20 read into a snapshot and trained (no SQ8); run() writes the training
// with `meanwhile` run once, after the snapshot's last row is written: writes made while
// the training writes.
FakeTrainingStore twenty_examples() {
  FakeTrainingStore s;
  s.add_examples(20);
  s.feed.write(20);
  return s;
}
struct Staging {
  FakeTrainingStore s = twenty_examples();
  TrainingSnapshot snap = read_snapshot(s, 4);
  IvfTraining tr = train_ivf(snap.set, 4, false, 42);
  TrainingStatus st;
  FakeClock clock;
  int old_slot = -1;
  bool run(const std::function<void()>& meanwhile) {
    bool done = false;
    s.on_put = [&](int64_t id) {
      if (id != 20 || done) return;
      done = true;
      meanwhile();
    };
    return write_staged(s, snap, tr, {4, false, 42, 10}, st, clock, old_slot);
  }
};

TEST(StagedWrite, AppliesWritesMadeMeanwhileInTheSwitchWhenFew) {
  Staging w;
  FakeTrainingStore& s = w.s;
  ASSERT_TRUE(w.run([&] {  // example 21 added, 3 deleted
    s.examples[21] = {{9, 9, 9, 1}, "t1"};
    s.feed.write(21);
    s.examples.erase(3);
    s.feed.write(3);
  }));
  EXPECT_EQ(s.switch_changes, 2);
  EXPECT_EQ(s.rows[1].count(21), 1u);
  EXPECT_EQ(s.rows[1].count(3), 0u);
  EXPECT_EQ(s.rows[1].size(), 20u);
  EXPECT_EQ(s.finished_rows, 20);
}

TEST(StagedWrite, ManyWritesMeanwhileAreAppliedFirstInRounds) {
  Staging w;
  FakeTrainingStore& s = w.s;
  ASSERT_TRUE(w.run([&] {
    for (int64_t n = 100; n < 100 + static_cast<int64_t>(kSwitchChanges) + 1; ++n) {
      s.examples[n] = {{1, static_cast<float>(n), 2, 1}, "t"};
      s.feed.write(n);
    }
  }));
  EXPECT_EQ(s.switch_changes, 0);  // all applied before the switching transaction
  EXPECT_EQ(s.rows[1].size(), 20u + kSwitchChanges + 1);
  EXPECT_EQ(s.finished_rows, static_cast<int64_t>(20 + kSwitchChanges + 1));
}

TEST(StagedWrite, AnEpochMovedMeanwhileDropsTheResult) {
  Staging w;
  FakeTrainingStore& s = w.s;
  EXPECT_FALSE(w.run([&] { s.epoch_ = 8; }));  // an 'optimize' elsewhere
  EXPECT_EQ(s.slot, 0);
  EXPECT_TRUE(s.rows[1].empty());  // the rows written so far are deleted
  EXPECT_EQ(count(s.calls, "finish"), 0);
  EXPECT_EQ(count(s.calls, "rollback"), 1);
}

}  // namespace
}  // namespace iccache::index
