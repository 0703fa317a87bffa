// Which cache answers a search (common/cache_choice.h): the connection's own for a private
// database, the shared one outside a write transaction (after taking a private index that
// reflects the view), the shared one plus the overlay inside one, or a private index when
// the overlay cannot serve; and how a privately built cache is handed to the shared one.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/cache_choice.h"
#include "index/index_cache.h"
#include "lexical/lexical_cache.h"

namespace iccache {
namespace {

// The members the rule reads, and an "index" that says where it came from.
struct FakeCache {
  mutable std::shared_mutex mu;
  std::mutex update_mu;
  bool loaded = false;
  int64_t seq = -1;
  int64_t gen = 0;
  std::string index;
};

// Records each step the rule takes, in order.
struct FakeOverlay {
  std::vector<std::string>* log;
  void clear() { log->push_back("clear overlay"); }
};

struct FakeFollower {
  std::vector<std::string> log;
  bool overlay_serves = true;
  void catch_up(FakeCache& c, int64_t g, bool committed_only) {
    log.push_back("sync " + c.index + (committed_only ? " committed" : " all"));
    c.loaded = true;
    c.gen = g;
  }
  bool update_overlay(FakeOverlay&, const FakeCache&, int64_t) {
    log.push_back("derive overlay");
    return true;
  }
  std::shared_ptr<FakeCache> make_cache() {
    log.push_back("make own");
    auto c = std::make_shared<FakeCache>();
    c->index = "own";
    return c;
  }
  void offer(FakeCache& shared, FakeCache& own) {
    log.push_back("offer " + own.index);
    offer_built(shared, own, [](FakeCache&, const FakeCache&) {});
  }
};

// The table's cache, the write transaction's private index and overlay, the steps taken.
struct Choice : ::testing::Test {
  FakeCache cache;
  std::shared_ptr<FakeCache> own;
  FakeFollower f;
  FakeOverlay overlay{&f.log};
  FakeCache* choose(bool in_write, int64_t g, bool shared) {
    return answering_cache(in_write, g, ConnectionCaches<FakeCache, FakeOverlay>{cache, shared, own, overlay}, f,
                           [this] {
                             f.log.push_back("search overlay");
                             return f.overlay_serves;
                           });
  }
};

TEST_F(Choice, APrivateDatabaseSearchesItsOwnCacheWithItsUncommittedWrites) {
  cache.index = "private";
  EXPECT_EQ(choose(true, 5, false), &cache);
  EXPECT_EQ(f.log, std::vector<std::string>{"sync private all"});
  EXPECT_EQ(choose(true, 5, false), &cache);  // already at generation 5
  EXPECT_EQ(f.log.size(), 1u);
}

TEST_F(Choice, OutsideAWriteTransactionTheSharedCacheIsCaughtUpCommittedOnly) {
  cache.index = "shared";
  EXPECT_EQ(choose(false, 5, true), &cache);
  EXPECT_EQ(f.log, (std::vector<std::string>{"clear overlay", "sync shared committed"}));
}

TEST_F(Choice, InsideAWriteTransactionTheOverlayAnswersWhenTheSharedCacheIsLoaded) {
  cache.loaded = true;
  EXPECT_EQ(choose(true, 5, true), nullptr);
  EXPECT_EQ(f.log, (std::vector<std::string>{"derive overlay", "search overlay"}));
  EXPECT_EQ(own, nullptr);
}

TEST_F(Choice, APrivateIndexServesTheRestOfTheTransactionAndIsOfferedAfterCommit) {
  cache.index = "shared";
  cache.loaded = true;
  cache.seq = 3;
  cache.gen = 30;
  f.overlay_serves = false;
  FakeCache* use = choose(true, 50, true);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(use, own.get());
  EXPECT_EQ(f.log, (std::vector<std::string>{"derive overlay", "search overlay", "clear overlay", "make own",
                                             "sync own all"}));
  own->seq = 5;
  f.log.clear();
  EXPECT_EQ(choose(true, 50, true), own.get());  // no second overlay try, already at 50
  EXPECT_TRUE(f.log.empty());
  // Committed: the own index reflects this view (gen 50), so the shared cache takes it.
  EXPECT_EQ(choose(false, 50, true), &cache);
  EXPECT_EQ(f.log, (std::vector<std::string>{"clear overlay", "offer own"}));
  EXPECT_EQ(own, nullptr);
  EXPECT_EQ(cache.index, "own");
  EXPECT_EQ(cache.seq, 5);
  EXPECT_EQ(cache.gen, 50);
}

TEST_F(Choice, NoOverlayBeforeTheSharedCacheIsLoaded) {
  choose(true, 5, true);
  EXPECT_EQ(f.log, (std::vector<std::string>{"clear overlay", "make own", "sync own all"}));
}

TEST_F(Choice, AnOwnIndexOfAnotherGenerationIsDroppedNotOffered) {
  cache.index = "shared";
  own = std::make_shared<FakeCache>();
  own->loaded = true;
  own->gen = 40;
  choose(false, 50, true);
  EXPECT_EQ(f.log, (std::vector<std::string>{"clear overlay", "sync shared committed"}));
  EXPECT_EQ(own, nullptr);
}

TEST(CacheChoice, SyncCatchesUpOnlyWhenTheGenerationDiffers) {
  FakeCache c;
  int calls = 0;
  sync_cache(c, 7, [&] {
    ++calls;
    c.loaded = true;
    c.gen = 7;
  });
  sync_cache(c, 7, [&] { ++calls; });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(log_position(c), std::nullopt);  // seq -1: a state no entry describes
  c.seq = 4;
  ASSERT_TRUE(log_position(c).has_value());
  EXPECT_EQ(log_position(c)->seq, 4);
  EXPECT_EQ(log_position(c)->gen, 7);
}

TEST(CacheChoice, AnOfferIsTakenUnlessTheSharedCacheHoldsThatStateOrALaterOne) {
  FakeCache shared, built;
  built.index = "built";
  offer_built(shared, built, [](FakeCache&, const FakeCache&) {});  // nothing built: nothing taken
  EXPECT_FALSE(shared.loaded);
  built.loaded = true;
  built.seq = 4;
  built.gen = 40;
  shared.loaded = true;
  shared.seq = 6;
  shared.gen = 60;
  shared.index = "shared";
  offer_built(shared, built, [](FakeCache&, const FakeCache&) {});  // shared is ahead
  EXPECT_EQ(shared.index, "shared");
  EXPECT_TRUE(built.loaded);
  shared.seq = 3;
  int rest = 0;
  offer_built(shared, built, [&](FakeCache&, const FakeCache&) { ++rest; });
  EXPECT_EQ(shared.index, "built");
  EXPECT_EQ(shared.seq, 4);
  EXPECT_EQ(shared.gen, 40);
  EXPECT_EQ(rest, 1);
  EXPECT_FALSE(built.loaded);  // taken
}

TEST(CacheChoice, OfferIndexMovesTheTrainingsEpochAndNprobe) {
  index::IndexCache shared(2, false), built(2, false);
  const float v[2] = {1, 0};
  built.index.add(9, 0, "", v, nullptr);
  built.loaded = true;
  built.seq = 2;
  built.gen = 20;
  built.epoch = 3;
  built.nprobe = 7;
  index::offer_index(shared, built);
  EXPECT_EQ(shared.index.size(), 1u);
  EXPECT_EQ(shared.epoch, 3);
  EXPECT_EQ(shared.nprobe, 7);
  EXPECT_EQ(shared.gen, 20);
  EXPECT_FALSE(built.loaded);
}

TEST(CacheChoice, OfferLexicalMovesTheLoadTime) {
  lexical::LexicalCache shared, built;
  built.loaded = true;
  built.seq = 2;
  built.gen = 20;
  built.load_seconds = 1.5;
  lexical::offer_lexical(shared, built);
  EXPECT_TRUE(shared.loaded);
  EXPECT_EQ(shared.load_seconds, 1.5);
  EXPECT_EQ(shared.seq, 2);
}

}  // namespace
}  // namespace iccache
