// Which cache answers a search (common/cache_choice.h): the connection's own for a private
// database, the shared one outside a write transaction (after taking a private index that
// reflects the view), the shared one plus the overlay inside one, or a private index when
// the overlay cannot serve; and how a privately built cache is handed to the shared one.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>
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

// c holds example 9 at change-log entry `seq`.
void hold_one_vector(index::IndexCache& c, int64_t seq) {
  const float v[2] = {1, 0};
  c.index.add(9, 0, "", v, nullptr);
  c.loaded = true;
  c.seq = seq;
}

TEST(CacheChoice, OfferIndexMovesTheTrainingsEpochAndNprobe) {
  index::IndexCache shared(2, false), built(2, false);
  hold_one_vector(built, 2);
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

// The ex_stats rows of a cache, in order, with their values.
std::string rows_of(const StatRows& rows) {
  std::string out;
  for (const StatRow& r : rows) {
    out += r.key + "=";
    if (const int64_t* i = std::get_if<int64_t>(&r.value)) out += std::to_string(*i);
    if (const double* d = std::get_if<double>(&r.value)) out += std::to_string(*d);
    out += " ";
  }
  return out;
}

TEST(CacheStats, TheIndexRowsSayWhatItHoldsAndWhoSharesIt) {
  index::IndexCache c(2, false);
  hold_one_vector(c, 4);
  c.reloads = 2;
  c.applied_changes = 3;
  StatRows rows;
  index::cache_stats(c, 5, rows);
  EXPECT_EQ(rows_of(rows), "index_loaded=1 index_vectors=1 index_lists=1 index_memory_bytes=" +
                               std::to_string(c.index.memory_bytes()) +
                               " index_change_seq=4 index_reloads=2 index_changes_applied=3 index_shared_by=5 ");
}

TEST(CacheStats, TheLexicalRowsSayWhatItHoldsAndWhoSharesIt) {
  lexical::LexicalCache l;
  l.seq = 7;
  l.load_seconds = 0.5;
  StatRows rows;
  lexical::cache_stats(l, 0, rows);
  EXPECT_EQ(rows_of(rows), "lexical_loaded=0 lexical_documents=0 lexical_lists=0 lexical_postings=0 "
                           "lexical_memory_bytes=" +
                               std::to_string(l.index.memory_bytes()) +
                               " lexical_idf_texts=0 lexical_idf_n=0 lexical_change_seq=7 lexical_reloads=0 "
                               "lexical_changes_applied=0 lexical_load_s=0.500000 lexical_shared_by=0 ");
}

}  // namespace
}  // namespace iccache
