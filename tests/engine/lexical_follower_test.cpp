// How the lexical index follows the tables (lexical/lexical_follower.h), over texts in
// memory: when a write counts the IDF again, a load and a catch-up, the counts of another
// featurizer version counted again, damaged texts and counts refused with the table's
// message, and the overlay of a write transaction.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "change_log_fake.h"
#include "common/error.h"
#include "lexical/lexical_follower.h"

namespace iccache::lexical {
namespace {

using testing::FakeLog;

struct FakeTexts : LexicalSource {
  FakeLog changes;
  std::map<int64_t, StoredRequest> texts;
  std::optional<std::string> counts;
  int full_reads = 0;
  std::vector<int64_t> ids_read;

  ChangeFeed& log() override { return changes; }
  std::optional<std::string> idf_counts() override { return counts; }
  int64_t examples() override { return static_cast<int64_t>(texts.size()); }
  void for_each_request(const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) override {
    ++full_reads;
    for (const auto& [id, r] : texts) fn(id, r.enc, r.bytes, r.tenant);
  }
  std::vector<StoredRequest> requests(const std::vector<int64_t>& ids) override {
    std::vector<StoredRequest> out;
    for (int64_t id : ids) {
      ids_read.push_back(id);
      auto it = texts.find(id);
      out.push_back(it == texts.end() ? StoredRequest{{id, false}, 0, "", ""} : it->second);
    }
    return out;
  }
  // A write of example id (empty text: a delete), logged; returns the generation stored.
  int64_t put(int64_t id, const std::string& text) {
    if (text.empty()) texts.erase(id);
    else texts[id] = {{id, true}, 0, text, "t"};
    return changes.write(id);
  }
};

std::vector<int64_t> ids_of(const std::vector<index::Hit>& hits) {
  std::vector<int64_t> ids;
  for (const index::Hit& h : hits) ids.push_back(h.id);
  return ids;
}

std::vector<Term> terms_of(const std::string& text) {
  Featurizer f;
  std::vector<Term> t;
  f.terms(text, t);
  return t;
}

TEST(LexicalFollower, TheIdfIsCountedAgainWhenTheTableHasMovedFarFromTheCount) {
  EXPECT_FALSE(idf_count_due(0, 0));
  EXPECT_TRUE(idf_count_due(0, 1));     // never counted
  EXPECT_FALSE(idf_count_due(10, 19));  // doubling below kSample
  EXPECT_TRUE(idf_count_due(10, 20));
  EXPECT_FALSE(idf_count_due(20000, 79999));  // then 4x
  EXPECT_TRUE(idf_count_due(20000, 80000));
  EXPECT_TRUE(idf_count_due(64, 16));  // shrank to a quarter
  EXPECT_FALSE(idf_count_due(64, 17));
  EXPECT_FALSE(idf_count_due(63, 1));  // too few to count shrinking
}

TEST(LexicalFollower, CountsReadEvenlySpreadTexts) {
  FakeTexts t;
  for (int64_t id = 1; id <= 10; ++id) t.put(id, "text number " + std::to_string(id));
  Featurizer f;
  const IdfTable all = LexicalFollower(t, f, "ex").count_idf(10);
  EXPECT_EQ(all.sample_n(), 10u);
  EXPECT_EQ(all.table_n(), 10u);
  // n = 40000: every third text (ceil(40000 / 16384) = 3): ids 1, 4, 7, 10.
  const IdfTable some = LexicalFollower(t, f, "ex").count_idf(40000);
  EXPECT_EQ(some.sample_n(), 4u);
  EXPECT_EQ(some.table_n(), 40000u);
}

// Two texts written (entries 1 and 2).
struct TwoTexts : ::testing::Test {
  FakeTexts t;
  Featurizer f;
  LexicalFollower follow{t, f, "ex"};
  int64_t g2 = 0;
  void SetUp() override {
    t.put(1, "capital of france");
    g2 = t.put(2, "boiling point of water");
  }
};

TEST_F(TwoTexts, LoadsThenAppliesOnlyTheChangedTexts) {
  t.counts = follow.count_idf(2).serialize();
  LexicalCache c;
  follow.load(c, g2);
  EXPECT_EQ(c.index.size(), 2u);
  EXPECT_EQ(c.seq, 2);
  EXPECT_EQ(c.reloads, 1);
  EXPECT_EQ(c.index.idf().sample_n(), 2u);
  t.put(3, "largest city of france");
  const int64_t g4 = t.put(2, "");
  follow.catch_up(c, g4, true);
  EXPECT_EQ(t.full_reads, 2);  // the count and the load
  EXPECT_EQ(t.ids_read, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(c.applied_changes, 2);
  EXPECT_EQ(c.seq, 4);
  EXPECT_EQ(ids_of(c.index.search(terms_of("france"), 2, nullptr)), (std::vector<int64_t>{1, 3}));
  const int64_t g5 = t.changes.write(0, ChangeKind::kIdf);  // new counts: every weight moves
  follow.catch_up(c, g5, true);
  EXPECT_EQ(c.reloads, 2);
}

TEST(LexicalFollower, CountsOfAnotherFeaturizerVersionAreCountedAgain) {
  FakeTexts t;
  t.put(1, "capital of france");
  Featurizer f;
  std::string old = LexicalFollower(t, f, "ex").count_idf(1).serialize();
  old[3] = '1';  // "IDF1": counted before stemming
  t.counts = old;
  t.put(2, "largest city");
  const IdfTable idf = LexicalFollower(t, f, "ex").stored_idf();
  EXPECT_EQ(idf.terms_version(), Featurizer::kVersion);
  EXPECT_EQ(idf.table_n(), 2u);
}

TEST(LexicalFollower, DamagedTextsAndCountsAreRefusedWithTheTablesMessage) {
  FakeTexts t;
  const int64_t g = t.put(2, "x");
  t.texts[2].enc = 1;  // lz4 that is not
  Featurizer f;
  LexicalCache c;
  try {
    LexicalFollower(t, f, "ex").load(c, g);
    FAIL();
  } catch (const CorruptData& e) {
    EXPECT_STREQ(e.what(),
                 "ex: the request of example 2 stored text is corrupt: the lz4 payload is 1 bytes; expected at "
                 "least a 4-byte length header");
  }
  t.counts = "IDF9";
  try {
    LexicalFollower(t, f, "ex").stored_idf();
    FAIL();
  } catch (const CorruptData& e) {
    EXPECT_STREQ(e.what(),
                 "ex: the stored IDF counts have 4 bytes and no valid header; expected \"IDF2\", two counts and 8 "
                 "bytes per term (run INSERT INTO ex(ex) VALUES('optimize') to count them again)");
  }
}

TEST_F(TwoTexts, InsideAWriteTransactionTheOverlayServesOwnWrites) {
  LexicalCache shared;
  follow.load(shared, g2);
  std::shared_ptr<LexicalCache> own;
  LexicalOverlay overlay;
  t.put(3, "france france");
  const int64_t g4 = t.put(1, "");
  bool exact = false;
  std::vector<index::Hit> hits =
      follow.search({shared, true, own, overlay}, g4, true, terms_of("france"), 1, nullptr, 0, exact);
  EXPECT_EQ(ids_of(hits), std::vector<int64_t>{3});
  EXPECT_TRUE(exact);
  EXPECT_EQ(own, nullptr);
  EXPECT_EQ(overlay.idf, shared.index.idf_ptr());  // the same weights
  EXPECT_EQ(shared.seq, 2);
  EXPECT_EQ(shared.index.size(), 2u);
  // New counts inside the transaction: a private index, handed over after commit.
  const int64_t g5 = t.changes.write(0, ChangeKind::kIdf);
  follow.search({shared, true, own, overlay}, g5, true, terms_of("france"), 1, nullptr, 0, exact);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->index.size(), 2u);
  follow.search({shared, true, own, overlay}, g5, false, terms_of("france"), 1, nullptr, 0, exact);
  EXPECT_EQ(own, nullptr);
  EXPECT_EQ(shared.seq, 5);
  EXPECT_EQ(shared.index.size(), 2u);
}

}  // namespace
}  // namespace iccache::lexical
