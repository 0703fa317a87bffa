// Counterfactual utility labels (engine/select/counterfactual.h): labels centred on the
// baseline, the trailer round trip, and probe draws (rate, variants, determinism).
#include <gtest/gtest.h>

#include <numeric>

#include "select/counterfactual.h"

namespace iccache::select {
namespace {

TEST(SelectCounterfactual, LabelsAreTheAdvantageAroundOneHalf) {
  EXPECT_DOUBLE_EQ(counterfactual_label(0.9, 0.6, true), 0.8);
  EXPECT_DOUBLE_EQ(counterfactual_label(0.9, 0.6, false), 0.2);
  EXPECT_DOUBLE_EQ(counterfactual_label(0.0, 0.7, false), 1.0);  // left out, reward fell: it helped
  EXPECT_DOUBLE_EQ(counterfactual_label(0.0, 0.7, true), 0.0);   // clamped
  EXPECT_DOUBLE_EQ(counterfactual_label(0.5, 0.5, true), 0.5);   // no effect
}

TEST(SelectCounterfactual, TrailerRoundTrip) {
  const std::string b = encode_trailer({1, 0, 1}, 0.625);
  EXPECT_EQ(b.size(), 32u);
  const auto t = decode_trailer(b, 3);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kept, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(t->baseline, 0.625);
  EXPECT_FALSE(decode_trailer(b, 2));   // wrong size for 2 examples
  EXPECT_FALSE(decode_trailer("", 3));  // a reward-labelled sample
  EXPECT_TRUE(decode_trailer(encode_trailer({}, 0.5), 0));
}

TEST(SelectCounterfactual, ProbeRateVariantsAndDeterminism) {
  int probes = 0, none = 0, all_but_one = 0, other = 0;
  for (int64_t d = 1; d <= 3000; ++d) {
    const Probe p = choose_probe(7, d, 5, 0.2);
    ASSERT_EQ(p.kept.size(), 5u);
    const int kept = std::accumulate(p.kept.begin(), p.kept.end(), 0);
    if (!p.probe) {
      EXPECT_EQ(kept, 5);
      continue;
    }
    ++probes;
    if (kept == 0) ++none;
    else if (kept == 4) ++all_but_one;
    else ++other;
    const Probe again = choose_probe(7, d, 5, 0.2);
    EXPECT_EQ(again.kept, p.kept);
  }
  EXPECT_NEAR(probes / 3000.0, 0.2, 0.03);
  EXPECT_NEAR(none / static_cast<double>(probes), 1.0 / 3 + 1.0 / 96, 0.07);  // a half can be empty too
  EXPECT_GT(all_but_one, probes / 4);
  EXPECT_GT(other, probes / 8);
  EXPECT_FALSE(choose_probe(7, 1, 5, 0).probe);
  EXPECT_FALSE(choose_probe(7, 1, 0, 1).probe);
  EXPECT_TRUE(choose_probe(7, 1, 5, 1).probe);
}

}  // namespace
}  // namespace iccache::select
