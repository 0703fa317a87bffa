// Stage 2 of MATCH in the engine (engine/select/stage2.h), the candidate attribute cache
// (candidate_cache.h) and which arms teach selection (learning.h), over an in-memory
// CandidateSource: exact results for the threshold, the order, the hit, the k cut and the
// repeat rule.
#include <gtest/gtest.h>

#include <map>

#include "select/candidate_cache.h"
#include "select/learning.h"
#include "select/stage2.h"

namespace iccache::select {
namespace {

const std::vector<ModelArm> kModels = {{"small", 0.1}, {"large", 1.0}};

// Rows by id; counts reads.
struct FakeRows : CandidateSource {
  std::map<int64_t, CandidateRow> rows;
  int reads = 0;
  bool read(int64_t id, bool with_text, CandidateRow& out) override {
    ++reads;
    auto it = rows.find(id);
    if (it == rows.end()) return false;
    out = it->second;
    if (!with_text) out.request.clear();
    return true;
  }
  void add(int64_t id, double quality, uint64_t text_key, std::string request = "") {
    CandidateRow r;
    r.quality = quality;
    r.model = "large";
    r.text_key = text_key;
    r.request = std::move(request);
    rows[id] = r;
  }
};

struct Fixture {
  FakeRows rows;
  CandidateCache cache{kModels, rows};
  UtilityModel model;  // cold start: ranks like similarity x quality
  ThresholdTuner tuner{{0, 0.5}, 0.0, 0.01, 1};
  std::vector<float> query = std::vector<float>(4, 0.5f);

  Stage2Request request(int k) {
    Stage2Request r;
    r.vector = query.data();
    r.dim = 4;
    r.k = k;
    return r;
  }
  double utility(int64_t id, double similarity) {
    FeatureVec x;
    EXPECT_TRUE(cache.features(id, similarity, x));
    return model.predict(x);
  }
};

std::vector<int64_t> ids(const std::vector<index::Hit>& hits) {
  std::vector<int64_t> out;
  for (const index::Hit& h : hits) out.push_back(h.id);
  return out;
}

TEST(SelectRules, RelativeCostAndLearnsFrom) {
  EXPECT_DOUBLE_EQ(relative_cost(kModels, "small"), 0.1);
  EXPECT_DOUBLE_EQ(relative_cost(kModels, "large"), 1.0);
  EXPECT_DOUBLE_EQ(relative_cost(kModels, "gone"), 1.0);
  const std::vector<ModelArm> free = {{"a", 0}, {"b", 0}};
  EXPECT_DOUBLE_EQ(relative_cost(free, "a"), 1.0);

  EXPECT_TRUE(learns_from(kModels, "small"));
  EXPECT_FALSE(learns_from(kModels, "large"));  // the most expensive runs without examples
  EXPECT_FALSE(learns_from(kModels, "cache"));  // a verbatim answer
  const std::vector<ModelArm> same = {{"a", 1}, {"b", 1}};
  EXPECT_TRUE(learns_from(same, "a"));
  EXPECT_TRUE(learns_from(same, "b"));
  const std::vector<ModelArm> three = {{"a", 0.1}, {"b", 0.5}, {"c", 2}};
  EXPECT_TRUE(learns_from(three, "b"));
  EXPECT_FALSE(learns_from(three, "c"));
}

TEST(CandidateCache, ReadsOncePerGenerationAndForgets) {
  Fixture f;
  f.rows.add(1, 0.9, 11);
  f.rows.add(2, 0.2, 22);
  f.cache.validate(5);
  f.cache.set_request("", false, 0);
  FeatureVec x;
  EXPECT_TRUE(f.cache.features(1, 0.5, x));
  EXPECT_DOUBLE_EQ(f.cache.last_quality(), 0.9);
  EXPECT_EQ(f.cache.text_key(1), 11u);
  EXPECT_EQ(f.cache.text_key(2), 22u);
  EXPECT_EQ(f.rows.reads, 2);
  f.cache.validate(5);  // same generation: kept
  EXPECT_EQ(f.cache.text_key(1), 11u);
  EXPECT_EQ(f.rows.reads, 2);
  f.cache.forget(std::vector<int64_t>{1});
  EXPECT_EQ(f.cache.text_key(1), 11u);
  EXPECT_EQ(f.rows.reads, 3);
  f.cache.validate(6);  // another generation: everything goes
  EXPECT_EQ(f.cache.size(), 0u);
  EXPECT_EQ(f.cache.text_key(2), 22u);
  EXPECT_EQ(f.rows.reads, 4);
  EXPECT_FALSE(f.cache.features(9, 0.5, x));
  EXPECT_EQ(f.cache.text_key(9), std::nullopt);
}

TEST(CandidateCache, TextQueryReadsTheRequestAndSetsLexicalFeatures) {
  Fixture f;
  f.rows.add(1, 0.5, 1, "what is 12 times 7");
  f.cache.set_request("", false, 0);
  FeatureVec x;
  ASSERT_TRUE(f.cache.features(1, 0.5, x));
  EXPECT_EQ(x[kHasText], 0);
  EXPECT_EQ(f.rows.reads, 1);
  f.cache.set_request("what is 12 times 8", true, 0);
  ASSERT_TRUE(f.cache.features(1, 0.5, x));  // the entry lacked tokens: read again
  EXPECT_EQ(f.rows.reads, 2);
  EXPECT_EQ(x[kHasText], 1);
  EXPECT_DOUBLE_EQ(x[kWordOverlap], 1.0);           // what, is, times
  EXPECT_DOUBLE_EQ(x[kNumberOverlap], 1.0 / 3.0);   // {12, 7} vs {12, 8}
  EXPECT_DOUBLE_EQ(x[kSourceCost], 1.0);
}

TEST(Stage1, CountAndDistinctRequests) {
  SelectOptions o;
  o.candidates = 50;
  EXPECT_EQ(stage1_count(o, 10), 50);
  EXPECT_EQ(stage1_count(o, 80), 80);
  Fixture f;
  f.rows.add(1, 0.5, 7);
  f.rows.add(2, 0.5, 7);  // same text and similarity as 1: a repeat
  f.rows.add(3, 0.5, 7);  // same text, other similarity: another example
  EXPECT_EQ(distinct_requests(f.cache, {{1, 0.9f}, {2, 0.9f}, {3, 0.8f}, {4, 0.7f}}), 3u);  // 4 is gone
}

TEST(Stage1, AsksFourTimesMoreUntilKDistinctRequests) {
  SelectOptions o;
  o.candidates = 2;
  Fixture f;
  // 20 copies of one request, then 3 distinct ones, by falling similarity.
  std::vector<index::Hit> table;
  for (int i = 0; i < 20; ++i) f.rows.add(i, 0.5, 1), table.push_back({i, 0.9f});
  for (int i = 20; i < 23; ++i) f.rows.add(i, 0.5, 100 + i), table.push_back({i, 0.8f - 0.01f * i});
  std::vector<int> asked;
  auto search = [&](int want) {
    asked.push_back(want);
    return std::vector<index::Hit>(table.begin(), table.begin() + std::min<size_t>(want, table.size()));
  };
  EXPECT_EQ(stage1_candidates(o, 3, std::nullopt, f.cache, search).size(), 23u);
  EXPECT_EQ(asked, (std::vector<int>{3, 12, 48}));  // 48 > 23 rows: the table ran out
  asked.clear();
  EXPECT_EQ(stage1_candidates(o, 1, std::nullopt, f.cache, search).size(), 2u);
  EXPECT_EQ(asked, (std::vector<int>{2}));
  asked.clear();
  EXPECT_EQ(stage1_candidates(o, 3, 0.95, f.cache, search).size(), 3u);  // below the floor: stop
  EXPECT_EQ(asked, (std::vector<int>{3}));
}

TEST(Stage2, SimilarityModeKeepsStageOneOrderWithoutRepeats) {
  SelectOptions o;
  o.selection = SelectionKind::kSimilarity;
  Fixture f;
  f.rows.add(1, 0.1, 1);
  f.rows.add(2, 0.9, 1);  // a repeat of 1 (same key, same similarity)
  f.rows.add(3, 0.5, 3);
  f.rows.add(4, 0.5, 4);
  const std::vector<index::Hit> c = {{1, 0.9f}, {2, 0.9f}, {3, 0.8f}, {4, 0.7f}};
  Selected s = select_examples(o, f.request(2), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1, 3}));
  EXPECT_TRUE(s.utility.empty());
  EXPECT_EQ(s.hit_flag, (std::vector<uint8_t>{0, 0}));
  // The utility column asked for: computed, order unchanged.
  Stage2Request r = f.request(3);
  r.want_utility = true;
  s = select_examples(o, r, c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1, 3, 4}));
  ASSERT_EQ(s.utility.size(), 3u);
  EXPECT_DOUBLE_EQ(s.utility[1], f.utility(3, 0.8f));
  // min_similarity cuts the tail first.
  r.min_similarity = 0.75;
  s = select_examples(o, r, c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1, 3}));
}

TEST(Stage2, UtilityModeThresholdOrderAndKCut) {
  SelectOptions o;
  Fixture f;
  f.rows.add(1, 0.1, 1);  // most similar, poor
  f.rows.add(2, 0.9, 2);
  f.rows.add(3, 0.6, 3);
  f.rows.add(4, 0.9, 4);  // same quality and similarity as 2: a tie, stage-1 order kept
  const std::vector<index::Hit> c = {{1, 0.9f}, {2, 0.8f}, {3, 0.8f}, {4, 0.8f}};
  const double u1 = f.utility(1, 0.9f), u2 = f.utility(2, 0.8f), u3 = f.utility(3, 0.8f);
  ASSERT_LT(u1, u3);
  ASSERT_LT(u3, u2);
  o.threshold = (u1 + u3) / 2;  // pinned: 1 falls below
  Selected s = select_examples(o, f.request(10), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{2, 4, 3}));
  ASSERT_EQ(s.utility.size(), 3u);
  EXPECT_DOUBLE_EQ(s.utility[0], u2);
  EXPECT_DOUBLE_EQ(s.utility[1], u2);
  EXPECT_DOUBLE_EQ(s.utility[2], u3);
  s = select_examples(o, f.request(2), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{2, 4}));
  o.threshold = 1.0;  // nothing passes
  EXPECT_TRUE(select_examples(o, f.request(10), c, f.cache, f.model, f.tuner).hits.empty());
  // Tuned (no pinned threshold): the tuner's current grid point, 0, passes everything.
  o.threshold.reset();
  EXPECT_EQ(choose_threshold(o, f.tuner, f.query.data(), 4).threshold, 0.0);
  EXPECT_EQ(choose_threshold(o, f.tuner, f.query.data(), 4).index, 0);
  s = select_examples(o, f.request(10), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{2, 4, 3, 1}));
  o.threshold = 0.3;
  EXPECT_EQ(choose_threshold(o, f.tuner, f.query.data(), 4).index, -1);
}

TEST(Stage2, HitComesFirstWhateverTheThreshold) {
  SelectOptions o;
  o.hit_similarity = 0.95;
  o.hit_quality = 0.8;
  o.threshold = 0.99;  // nothing passes the threshold
  Fixture f;
  f.rows.add(1, 0.85, 1);
  f.rows.add(2, 0.9, 2);
  const std::vector<index::Hit> c = {{1, 0.97f}, {2, 0.9f}};
  Selected s = select_examples(o, f.request(5), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1}));
  EXPECT_EQ(s.hit_flag, (std::vector<uint8_t>{1}));
  // Not good enough: no hit.
  o.hit_quality = 0.9;
  EXPECT_TRUE(select_examples(o, f.request(5), c, f.cache, f.model, f.tuner).hits.empty());
  // Similarity mode: only the first candidate is scored (for the hit), order kept.
  o.hit_quality = 0.8;
  o.selection = SelectionKind::kSimilarity;
  s = select_examples(o, f.request(5), c, f.cache, f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s.hit_flag, (std::vector<uint8_t>{1, 0}));
  EXPECT_TRUE(s.utility.empty());
}

TEST(Stage2, MissingRowsAreSkippedAndReported) {
  SelectOptions o;
  o.threshold = 0;
  Fixture f;
  f.rows.add(1, 0.5, 1);
  f.rows.add(3, 0.5, 3);
  Selected s = select_examples(o, f.request(5), {{1, 0.9f}, {2, 0.85f}, {3, 0.8f}, {4, 0.7f}}, f.cache,
                               f.model, f.tuner);
  EXPECT_EQ(ids(s.hits), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(s.missing, (std::vector<int64_t>{2, 4}));
}

}  // namespace
}  // namespace iccache::select
