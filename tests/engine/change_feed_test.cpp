// The one catch-up rule of the caches that follow the change log (common/change_feed.h
// plan_catch_up), over an in-memory log: apply the entries since the position, keep a
// shared cache ahead of the view, reload when the position left history.
#include <gtest/gtest.h>

#include "change_log_fake.h"
#include "common/change_feed.h"

namespace iccache {
namespace {

using testing::FakeLog;

TEST(ChangeFeed, AppliesTheEntriesSinceThePosition) {
  FakeLog log;
  const int64_t g1 = log.write(1);
  log.write(2);
  log.write(0, ChangeKind::kSettings);
  const int64_t g4 = log.write(2, ChangeKind::kStats);
  const CatchUp c = plan_catch_up(log, LogPosition{1, g1}, g4, false, 100);
  ASSERT_EQ(c.kind, CatchUp::kApply);
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_EQ(c.entries.back().seq, 4);
  EXPECT_EQ(changed_examples(c.entries, false), std::vector<int64_t>{2});
  EXPECT_EQ(changed_examples(c.entries, true), std::vector<int64_t>{2});  // once
  log.write(7, ChangeKind::kStats);
  EXPECT_EQ(changed_examples(log.entries, true), (std::vector<int64_t>{1, 2, 7}));
}

TEST(ChangeFeed, ReloadsWithoutAUsablePosition) {
  FakeLog log;
  const int64_t g1 = log.write(1);
  const int64_t g2 = log.write(2);
  EXPECT_EQ(plan_catch_up(log, std::nullopt, g2, false, 100).kind, CatchUp::kReload);  // never loaded
  EXPECT_EQ(plan_catch_up(log, LogPosition{1, 999}, g2, false, 100).kind, CatchUp::kReload);  // diverged
  EXPECT_EQ(plan_catch_up(log, LogPosition{1, g1}, 555, false, 100).kind, CatchUp::kReload);  // not ending at g
  EXPECT_EQ(plan_catch_up(log, LogPosition{1, g1}, g2, false, 0).kind, CatchUp::kReload);  // over the limit
  log.entries.erase(log.entries.begin());  // pruned past the position
  EXPECT_EQ(plan_catch_up(log, LogPosition{1, g1}, g2, false, 100).kind, CatchUp::kReload);
  EXPECT_TRUE(plan_catch_up(log, LogPosition{1, g1}, g2, false, 100).entries.empty());
}

TEST(ChangeFeed, ASharedCacheAheadOfTheViewIsKept) {
  FakeLog log;
  log.write(1);
  const int64_t g2 = log.write(2);
  FakeLog snapshot;  // an older view: the cache's entry 2 is not in it yet
  snapshot.entries = {log.entries.front()};
  EXPECT_EQ(plan_catch_up(snapshot, LogPosition{2, g2}, snapshot.entries[0].gen, true, 100).kind, CatchUp::kKeep);
  // Not for a private cache, which follows its connection's own history.
  EXPECT_EQ(plan_catch_up(snapshot, LogPosition{2, g2}, snapshot.entries[0].gen, false, 100).kind,
            CatchUp::kReload);
}

}  // namespace
}  // namespace iccache
