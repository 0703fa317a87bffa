// How the vector index follows the tables (index/index_follower.h), over a store in memory:
// a load reads every row, a catch-up only the rows the log names since, a new epoch
// reloads, damaged rows are refused with the table's message, and inside a write
// transaction the overlay serves the connection's own changes without touching the shared
// index (or a private index does, handed to the shared one after commit).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "change_log_fake.h"
#include "common/error.h"
#include "index/index_follower.h"
#include "index/stored_form.h"

namespace iccache::index {
namespace {

using testing::FakeLog;

struct StoredRow {
  int list = 0;
  std::string tenant;
  std::vector<float> vec;
};

// The tables in memory: the rows table in use with its vectors, the training, the log.
struct FakeTables : IndexSource {
  FakeLog changes;
  std::map<int64_t, StoredRow> rows_;
  int64_t stored_epoch = 0;
  int stored_nprobe = 1;
  int full_reads = 0;
  std::vector<int64_t> ids_read;

  ChangeFeed& log() override { return changes; }
  int64_t epoch() override { return stored_epoch; }
  int nprobe() override { return stored_nprobe; }
  std::vector<float> centroids() override { return {}; }
  std::vector<float> sq8_ranges() override { return {}; }
  void for_each_row(bool, const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) override {
    ++full_reads;
    for (const auto& [id, r] : rows_) fn(id, r.list, r.tenant, bytes(r.vec));
  }
  std::vector<IndexRow> rows(const std::vector<int64_t>& ids, bool) override {
    std::vector<IndexRow> out;
    for (int64_t id : ids) {
      ids_read.push_back(id);
      IndexRow& r = out.emplace_back();
      r.id = id;
      auto it = rows_.find(id);
      r.present = it != rows_.end();
      if (!r.present) continue;
      r.list = it->second.list;
      r.tenant = it->second.tenant;
      r.blob = std::string(bytes(it->second.vec));
    }
    return out;
  }
  static std::string_view bytes(const std::vector<float>& v) {
    return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)};
  }
  // A write of example id (absent vec: a delete), logged; returns the generation stored.
  int64_t put(int64_t id, std::vector<float> vec) {
    if (vec.empty()) rows_.erase(id);
    else rows_[id] = {0, "", std::move(vec)};
    return changes.write(id);
  }
};

std::vector<int64_t> ids_of(const std::vector<Hit>& hits) {
  std::vector<int64_t> ids;
  for (const Hit& h : hits) ids.push_back(h.id);
  return ids;
}

const float kQuery[2] = {1, 0};

TEST(IndexFollower, LoadsEveryRowAtTheLogsNewestEntry) {
  FakeTables t;
  t.put(1, {1, 0});
  t.put(2, {0, 1});
  const int64_t g = t.put(3, {0.6f, 0.8f});
  t.stored_epoch = 4;
  t.stored_nprobe = 3;
  IndexCache c(2, false);
  IndexFollower(t, "ex", 2, false).load(c, g);
  EXPECT_TRUE(c.loaded);
  EXPECT_EQ(c.index.size(), 3u);
  EXPECT_EQ(c.seq, 3);
  EXPECT_EQ(c.gen, g);
  EXPECT_EQ(c.epoch, 4);
  EXPECT_EQ(c.nprobe, 3);
  EXPECT_EQ(c.reloads, 1);
  EXPECT_EQ(ids_of(c.index.search(kQuery, 3, nullptr, 1)), (std::vector<int64_t>{1, 3, 2}));
  IndexFollower(t, "ex", 2, false).load(c, 555);  // a generation no entry stored: no position
  EXPECT_EQ(c.seq, -1);
}

TEST(IndexFollower, CatchUpReadsOnlyTheChangedRows) {
  FakeTables t;
  t.put(1, {1, 0});
  const int64_t g2 = t.put(2, {0, 1});
  IndexCache c(2, false);
  IndexFollower f(t, "ex", 2, false);
  f.load(c, g2);
  t.put(3, {0.6f, 0.8f});
  t.put(1, {});  // deleted
  t.changes.write(0, ChangeKind::kSettings);
  t.stored_nprobe = 5;
  const int64_t g6 = t.put(3, {0.8f, 0.6f});
  f.catch_up(c, g6, true);
  EXPECT_EQ(t.full_reads, 1);
  EXPECT_EQ(t.ids_read, (std::vector<int64_t>{3, 1}));  // each once, in log order
  EXPECT_EQ(c.applied_changes, 4);
  EXPECT_EQ(c.seq, 6);
  EXPECT_EQ(c.gen, g6);
  EXPECT_EQ(c.nprobe, 5);
  EXPECT_EQ(ids_of(c.index.search(kQuery, 3, nullptr, 1)), (std::vector<int64_t>{3, 2}));
}

TEST(IndexFollower, ANewEpochReloads) {
  FakeTables t;
  const int64_t g1 = t.put(1, {1, 0});
  IndexCache c(2, false);
  IndexFollower f(t, "ex", 2, false);
  f.load(c, g1);
  t.stored_epoch = 9;
  const int64_t g2 = t.changes.write(0, ChangeKind::kEpoch);
  f.catch_up(c, g2, true);
  EXPECT_EQ(c.reloads, 2);
  EXPECT_EQ(c.epoch, 9);
  EXPECT_EQ(c.applied_changes, 0);
}

TEST(IndexFollower, DamagedRowsAreRefusedWithTheTablesMessage) {
  FakeTables t;
  const int64_t g = t.put(2, {1, 0, 0});
  IndexCache c(2, false);
  IndexFollower f(t, "ex", 2, false);
  try {
    f.load(c, g);
    FAIL();
  } catch (const CorruptData& e) {
    EXPECT_STREQ(e.what(),
                 "ex: the stored vector of example 2 has 12 bytes; expected 8 (run INSERT INTO ex(ex) "
                 "VALUES('integrity-check'))");
  }
  t.rows_[2] = {3, "", {1, 0}};
  try {
    f.load(c, g);
    FAIL();
  } catch (const CorruptData& e) {
    EXPECT_STREQ(e.what(), "ex: example 2 is in list 3 but the index has 1 lists");
  }
  EXPECT_FALSE(c.loaded);
  EXPECT_THROW(check_stored_blob("ex", 7, 7, true, 8), CorruptData);
  EXPECT_NO_THROW(check_stored_blob("ex", 7, 8, true, 8));
}

// The shared index at entry 2; a write transaction then writes entries 3 and 4.
struct InTransaction : ::testing::Test {
  FakeTables t;
  IndexCache shared{2, false};
  std::shared_ptr<IndexCache> own;
  IndexOverlay overlay{2};
  int64_t g = 0;
  void SetUp() override {
    t.put(1, {1, 0});
    const int64_t g2 = t.put(2, {0, 1});
    IndexFollower(t, "ex", 2, false).load(shared, g2);
    t.put(3, {0.8f, 0.6f});
    g = t.put(1, {});
  }
  Answer search(int64_t gen, bool in_write) {
    return IndexFollower(t, "ex", 2, false).search({shared, true, own, overlay}, gen, in_write, kQuery, 3, nullptr, 0,
                                                   nullptr);
  }
};

TEST_F(InTransaction, TheOverlayServesOwnWritesAndLeavesTheSharedIndexAsItWas) {
  const Answer a = search(g, true);
  EXPECT_EQ(ids_of(a.hits), (std::vector<int64_t>{3, 2}));
  EXPECT_TRUE(a.exact);
  EXPECT_EQ(own, nullptr);
  EXPECT_TRUE(overlay.valid);
  EXPECT_EQ(overlay.changed.size(), 2u);
  EXPECT_EQ(shared.seq, 2);
  EXPECT_EQ(shared.index.size(), 2u);
  EXPECT_EQ(ids_of(shared.index.search(kQuery, 3, nullptr, 1)), (std::vector<int64_t>{1, 2}));
}

TEST_F(InTransaction, AnOverlayFollowsARollbackTo) {
  search(g, true);
  t.changes.entries.pop_back();  // ROLLBACK TO: entry 4 (the delete of 1) is gone
  t.rows_[1] = {0, "", {1, 0}};
  t.put(4, {0, 1});
  const int64_t g4 = t.changes.entries.back().gen = 7777;  // the same seq 4, another nonce
  EXPECT_EQ(ids_of(search(g4, true).hits), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(overlay.changed.size(), 2u);  // 3 and 4, derived again
}

TEST_F(InTransaction, ARetrainingInsideUsesAPrivateIndexHandedOverAfterCommit) {
  t.stored_epoch = 2;
  const int64_t g5 = t.changes.write(0, ChangeKind::kEpoch);
  Answer a = search(g5, true);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->epoch, 2);
  EXPECT_EQ(ids_of(a.hits), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(shared.epoch, 0);  // untouched until commit
  a = search(g5, false);  // committed: the private index reflects this view
  EXPECT_EQ(own, nullptr);
  EXPECT_EQ(shared.epoch, 2);
  EXPECT_EQ(shared.seq, 5);
  EXPECT_EQ(shared.reloads, 1);  // handed over, not reloaded
  EXPECT_EQ(ids_of(a.hits), (std::vector<int64_t>{3, 2}));
}

TEST_F(InTransaction, TooManyChangesUseAPrivateIndex) {
  int64_t gen = g;
  for (int64_t id = 10; id < 10 + 2001; ++id) gen = t.put(id, {0, 1});
  search(gen, true);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->index.size(), 2003u);
  EXPECT_FALSE(overlay.valid);
}

}  // namespace
}  // namespace iccache::index
