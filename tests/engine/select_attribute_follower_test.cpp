// How selection's attribute caches follow the change log (engine/select/attribute_follower.h),
// over an in-memory log: a shared cache forgets only the examples the new entries name,
// starts over when its position left history, is left alone when ahead of a snapshot, and
// inside a write transaction the changed examples bypass it.
#include <gtest/gtest.h>

#include <map>

#include "change_log_fake.h"
#include "select/attribute_follower.h"

namespace iccache::select {
namespace {

using testing::FakeLog;

struct Rows : CandidateSource {
  int reads = 0;
  bool read(int64_t, bool, CandidateRow& out) override {
    ++reads;
    out = CandidateRow{};
    out.model = "small";
    return true;
  }
};

const std::vector<ModelArm> kModels = {{"small", 1.0}};

EntryPtr entry() { return std::make_shared<const CandidateEntry>(); }

TEST(AttributeFollower, ForgetsOnlyTheExamplesNamedSinceItsPosition) {
  FakeLog log;
  log.write(1);
  const int64_t g1 = log.write(2);
  AttributeCache a;
  follow_log(a, log, g1, true);  // first use: starts at the newest entry
  EXPECT_TRUE(a.position().valid);
  EXPECT_EQ(a.position().seq, 2);
  const uint64_t v = a.position().version;
  for (int64_t id : {1, 2, 3}) a.put(id, entry(), v);
  log.write(2, ChangeKind::kStats);
  log.write(0, ChangeKind::kSettings);  // names no example
  const int64_t g2 = log.write(5, ChangeKind::kIdf);
  follow_log(a, log, g2, true);
  EXPECT_EQ(a.position().seq, 5);
  EXPECT_EQ(a.position().gen, g2);
  EXPECT_EQ(a.size(), 2u);  // 2 forgotten; 1 and 3 kept
  EXPECT_FALSE(a.get(2));
  EXPECT_TRUE(a.get(1));
}

TEST(AttributeFollower, StartsOverWhenItsPositionLeftHistory) {
  FakeLog log;
  const int64_t g1 = log.write(1);
  AttributeCache a;
  follow_log(a, log, g1, false);
  a.put(1, entry(), a.position().version);
  log.entries.back().gen = 77;  // a rollback, then another write at the same seq
  follow_log(a, log, 77, false);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.position().seq, 1);
  follow_log(a, log, 55, false);  // a generation no entry carries: no valid position
  EXPECT_FALSE(a.position().valid);
  EXPECT_EQ(a.position().gen, 55);
}

TEST(AttributeFollower, ASharedCacheAheadOfTheSnapshotIsLeftAlone) {
  FakeLog log;
  log.write(1);
  const int64_t g2 = log.write(2);
  AttributeCache a;
  follow_log(a, log, g2, true);
  a.put(1, entry(), a.position().version);
  FakeLog snapshot;  // an older view: the shared position's entry is not in it yet
  snapshot.entries = {log.entries.front()};
  follow_log(a, snapshot, snapshot.entries.front().gen, true);
  EXPECT_EQ(a.position().seq, 2);
  EXPECT_EQ(a.size(), 1u);
}

TEST(AttributeFollower, InsideAWriteTransactionTheChangedExamplesBypassTheSharedCache) {
  FakeLog log;
  const int64_t g1 = log.write(1);
  auto attrs = std::make_shared<FollowedAttributes>();
  AttributeFollower f(attrs, true);
  Rows rows;
  CandidateCache scorer(kModels, rows);
  scorer.set_request("", false, 0);
  FeatureVec x;
  f.prepare(log, false, scorer, g1);
  ASSERT_TRUE(scorer.features(1, 0.5, x));
  ASSERT_TRUE(scorer.features(2, 0.5, x));
  EXPECT_EQ(rows.reads, 2);
  EXPECT_EQ(attrs->cache.size(), 2u);  // filled the shared cache
  const int64_t g2 = log.write(2);  // this transaction's own write
  f.prepare(log, true, scorer, g2);
  ASSERT_TRUE(scorer.features(1, 0.5, x));  // from the shared cache
  ASSERT_TRUE(scorer.features(2, 0.5, x));  // read again, kept in the scorer's own entries
  EXPECT_EQ(rows.reads, 3);
  EXPECT_EQ(attrs->cache.position().gen, g1);  // the shared cache did not move
  EXPECT_EQ(attrs->cache.size(), 2u);
}

}  // namespace
}  // namespace iccache::select
