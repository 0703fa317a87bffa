// Pair features and lexical overlap: words and numbers, Jaccard, and the feature values of a
// known pair; selection options with their errors.
#include <gtest/gtest.h>

#include <cmath>

#include "options_test_util.h"
#include "common/error.h"
#include "options/table_options.h"
#include "select/lexical.h"
#include "select/utility_features.h"

namespace iccache::select {
namespace {

TEST(Lexical, WordsAndNumbers) {
  TokenSet a, b;
  a.assign("Natalia sold 48 clips in April, and 1,000 more; 3.5 each.");
  b.assign("natalia SOLD 1000 clips in May: 3.5 each");
  EXPECT_EQ(a.numbers.size(), 3u);  // 48, 1,000 (= 1000), 3.5
  EXPECT_EQ(b.numbers.size(), 2u);
  EXPECT_DOUBLE_EQ(jaccard(a.numbers, b.numbers), 2.0 / 3.0);
  // words: natalia sold clips in april and more each / natalia sold clips in may each
  EXPECT_DOUBLE_EQ(jaccard(a.words, b.words), 5.0 / 9.0);
  TokenSet empty;
  empty.assign("");
  EXPECT_EQ(jaccard(empty.words, empty.words), 0);
  EXPECT_EQ(jaccard(a.words, empty.words), 0);
  TokenSet utf;
  utf.assign("café naïve");
  EXPECT_EQ(utf.words.size(), 2u);
  // Only the beginning of a huge text is tokenised; its length is the whole.
  std::string big(kMaxTokenBytes, 'a');
  big += " tail 42";
  TokenSet huge;
  huge.assign(big);
  EXPECT_EQ(huge.words.size(), 1u);
  EXPECT_TRUE(huge.numbers.empty());
  EXPECT_EQ(huge.bytes, big.size());
}

TEST(PairFeatures, KnownPair) {
  TokenSet r, e;
  r.assign("how many legs does a spider have");
  e.assign("how many legs has a spider");
  PairInputs in;
  in.similarity = 0.8;
  in.quality = 0.5;
  in.source_cost = 0.1;
  in.bytes = 65535;
  in.uses = 8;
  in.offloads = 3;
  in.age_seconds = 86400 * (std::exp(4.0) - 1);
  const FeatureVec f = pair_features(in, &r, &e);
  EXPECT_EQ(f[kBias], 1);
  EXPECT_DOUBLE_EQ(f[kSimQuality], 0.4);
  EXPECT_DOUBLE_EQ(f[kWordOverlap], 5.0 / 8.0);
  EXPECT_EQ(f[kNumberOverlap], 0);
  EXPECT_EQ(f[kHasText], 1);
  EXPECT_DOUBLE_EQ(f[kQualityCost], 0.05);
  EXPECT_NEAR(f[kLength], std::log1p(65535.0) / std::log1p(65536.0), 1e-12);
  EXPECT_DOUBLE_EQ(f[kSuccess], 0.4);
  EXPECT_NEAR(f[kAge], 1.0, 1e-12);
  const FeatureVec v = pair_features(in, nullptr, nullptr);
  EXPECT_EQ(v[kHasText], 0);
  EXPECT_EQ(v[kWordOverlap], 0);
  EXPECT_EQ(v[kLengthGap], 0);
}

TEST(SelectOptions, DefaultsValuesAndErrors) {
  const TableOptions d = parse_table_options("ex", {});
  EXPECT_EQ(d.select.selection, SelectionKind::kUtility);
  EXPECT_EQ(d.select.candidates, 50);
  EXPECT_FALSE(d.select.threshold);
  EXPECT_EQ(d.select.threshold_grid.size(), 8u);
  EXPECT_EQ(d.select.threshold_explore, 0.05);
  EXPECT_FALSE(d.select.hit_similarity);
  const TableOptions o = parse_table_options(
      "ex", {"selection='similarity'", "candidates=20", "threshold=0.25", "threshold_grid='0, 0.2,0.9'",
             "threshold_explore=0.5", "prefill_penalty=0", "hit_similarity=0.97", "hit_quality=0.9"});
  EXPECT_EQ(o.select.selection, SelectionKind::kSimilarity);
  EXPECT_EQ(o.select.candidates, 20);
  EXPECT_EQ(*o.select.threshold, 0.25);
  EXPECT_EQ(o.select.threshold_grid, (std::vector<double>{0, 0.2, 0.9}));
  EXPECT_EQ(o.select.threshold_explore, 0.5);
  EXPECT_EQ(o.select.prefill_penalty, 0);
  EXPECT_EQ(*o.select.hit_similarity, 0.97);
  EXPECT_EQ(o.select.hit_quality, 0.9);
  EXPECT_EQ(option_error("selection=best"),
            "ex: option selection=best is not valid; expected 'utility' (two-stage) or 'similarity' (plain top-k)");
  EXPECT_EQ(option_error("candidates=0"), "ex: option candidates=0 is not valid; expected an integer from 1 to 4096");
  EXPECT_EQ(option_error("threshold=1.5"), "ex: option threshold=1.5 is not valid; expected a utility from 0 to 1");
  EXPECT_EQ(option_error("threshold_grid=0.2,0.1"),
            "ex: option threshold_grid=0.2,0.1 is not valid; expected 1 to 32 comma-separated ascending"
            " numbers from 0 to 1, such as 0,0.1,0.2,0.4");
  EXPECT_NE(option_error("threshold_grid="), "");
  EXPECT_EQ(option_error("threshold_explore=-0.1"),
            "ex: option threshold_explore=-0.1 is not valid; expected a share from 0 to 1");
  EXPECT_EQ(option_error("prefill_penalty=x"),
            "ex: option prefill_penalty=x is not valid; expected a number of reward units from 0 to 1");
  EXPECT_EQ(option_error("hit_similarity=0"),
            "ex: option hit_similarity=0 is not valid; expected a cosine similarity greater than 0 and at most 1");
  EXPECT_EQ(option_error("hit_quality=2"), "ex: option hit_quality=2 is not valid; expected a quality from 0 to 1");
}

TEST(PairFeatures, NamesFollowTheEnum) {
  EXPECT_STREQ(feature_name(kBias), "bias");
  EXPECT_STREQ(feature_name(kSimQuality), "similarity_x_quality");
  EXPECT_STREQ(feature_name(kSuccess), "success_rate");
  EXPECT_STREQ(feature_name(kAge), "age");
  EXPECT_EQ(feature_name(kFeatureCount), nullptr);
  EXPECT_EQ(feature_name(-1), nullptr);
}

}  // namespace
}  // namespace iccache::select
