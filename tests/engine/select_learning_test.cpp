// What a reward teaches selection (engine/select/learning.h learn_from_reward): one model
// step per example shown with the reward or its counterfactual label, the tuner's record
// unless the threshold is pinned or the decision was a probe, and the sample blob layout.
#include <gtest/gtest.h>

#include <cstring>

#include "select/counterfactual.h"
#include "select/learning.h"

namespace iccache::select {
namespace {

FeatureVec features(double similarity) {
  FeatureVec x{};
  x[kBias] = 1;
  x[kSimilarity] = similarity;
  x[kSimQuality] = similarity * 0.8;
  x[kQuality] = 0.8;
  return x;
}

ThresholdTuner tuner() { return ThresholdTuner({0, 0.2, 0.4}, 0.05, 0.01, 7); }

TEST(SelectLearning, SampleFeaturesAreTheVectorsInOrder) {
  const std::vector<FeatureVec> xs = {features(0.9), features(0.5)};
  const std::string blob = encode_sample_features(xs);
  ASSERT_EQ(blob.size(), 2 * sizeof(FeatureVec));
  FeatureVec back;
  std::memcpy(back.data(), blob.data() + sizeof(FeatureVec), sizeof back);
  EXPECT_EQ(back, xs[1]);
  EXPECT_EQ(encode_sample_features({}), "");
}

TEST(SelectLearning, RewardLabelsStepTheModelOncePerExampleAndTheTuner) {
  const std::vector<FeatureVec> xs = {features(0.9), features(0.5)};
  UtilityModel model, expected;
  ThresholdTuner t = tuner(), expected_tuner = tuner();
  const Lesson l = learn_from_reward(model, t, encode_sample_features(xs), 2, 1, 0.7, false);
  EXPECT_TRUE(l.model);
  EXPECT_TRUE(l.tuner);
  expected.observe(xs[0], 0.7);
  expected.observe(xs[1], 0.7);
  EXPECT_EQ(model.serialize(), expected.serialize());
  EXPECT_EQ(model.samples(), 2);
  expected_tuner.record(1, 0.7, 2);
  EXPECT_EQ(t.serialize(), expected_tuner.serialize());
  EXPECT_EQ(t.arms()[1].n, 1);
  EXPECT_DOUBLE_EQ(t.arms()[1].sum, 0.7 - 0.01 * 2);  // reward - prefill_penalty x shown
}

TEST(SelectLearning, PinnedThresholdOrNoTunerLeavesTheTuner) {
  const std::vector<FeatureVec> xs = {features(0.9)};
  UtilityModel model;
  ThresholdTuner t = tuner();
  EXPECT_FALSE(learn_from_reward(model, t, encode_sample_features(xs), 1, 1, 0.7, true).tuner);
  EXPECT_FALSE(learn_from_reward(model, t, encode_sample_features(xs), 1, -1, 0.7, false).tuner);
  EXPECT_EQ(t.total(), 0);
  EXPECT_EQ(model.samples(), 2);
}

TEST(SelectLearning, NothingShownTeachesOnlyTheTuner) {
  UtilityModel model;
  ThresholdTuner t = tuner();
  const Lesson l = learn_from_reward(model, t, "", 0, 0, 0.4, false);
  EXPECT_FALSE(l.model);
  EXPECT_TRUE(l.tuner);
  EXPECT_EQ(model.samples(), 0);
  EXPECT_EQ(model.serialize(), UtilityModel().serialize());
}

TEST(SelectLearning, CounterfactualTrailerLabelsAroundTheBaselineAndAProbeSkipsTheTuner) {
  const std::vector<FeatureVec> xs = {features(0.9), features(0.5)};
  // All shown: labels 0.5 + (reward - baseline); the tuner learns.
  UtilityModel model, expected;
  ThresholdTuner t = tuner();
  Lesson l = learn_from_reward(model, t, encode_sample_features(xs) + encode_trailer({1, 1}, 0.6), 2, 0, 0.9,
                               false);
  expected.observe(xs[0], counterfactual_label(0.9, 0.6, true));
  expected.observe(xs[1], counterfactual_label(0.9, 0.6, true));
  EXPECT_EQ(model.serialize(), expected.serialize());
  EXPECT_TRUE(l.tuner);
  // A probe that left the second out: the opposite label for it, nothing for the tuner.
  UtilityModel probed, expected_probe;
  ThresholdTuner t2 = tuner();
  l = learn_from_reward(probed, t2, encode_sample_features(xs) + encode_trailer({1, 0}, 0.6), 2, 0, 0.9, false);
  expected_probe.observe(xs[0], counterfactual_label(0.9, 0.6, true));
  expected_probe.observe(xs[1], counterfactual_label(0.9, 0.6, false));
  EXPECT_EQ(probed.serialize(), expected_probe.serialize());
  EXPECT_TRUE(l.model);
  EXPECT_FALSE(l.tuner);
  EXPECT_EQ(t2.total(), 0);
}

TEST(SelectLearning, SampleLabelsAndWhatIsDamaged) {
  const std::vector<FeatureVec> xs = {features(0.9), features(0.5)};
  const std::string body = encode_sample_features(xs);
  std::optional<SampleLabels> l = sample_labels(body, 2, 0.7);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->well_formed);
  EXPECT_FALSE(l->probe);
  ASSERT_EQ(l->pairs.size(), 2u);
  EXPECT_EQ(l->pairs[1].x, xs[1]);
  EXPECT_EQ(l->pairs[1].label, 0.7);
  l = sample_labels(body + encode_trailer({0, 1}, 0.5), 2, 0.7);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->well_formed);
  EXPECT_TRUE(l->probe);
  EXPECT_EQ(l->pairs[0].label, counterfactual_label(0.7, 0.5, false));
  EXPECT_EQ(l->pairs[1].label, counterfactual_label(0.7, 0.5, true));
  l = sample_labels(body + "xyz", 2, 0.7);  // bytes after the features that are no trailer
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->well_formed);
  EXPECT_EQ(l->pairs[0].label, 0.7);
  EXPECT_FALSE(sample_labels(body, 3, 0.7));  // fewer vectors than shown
  EXPECT_FALSE(sample_labels(body, -1, 0.7));
  EXPECT_TRUE(sample_labels("", 0, 0.7)->well_formed);
  EXPECT_TRUE(well_formed_sample(body, 2));
  EXPECT_TRUE(well_formed_sample(body + encode_trailer({0, 1}, 0.5), 2));
  EXPECT_FALSE(well_formed_sample(body + "xyz", 2));
  EXPECT_FALSE(well_formed_sample(body, 1));
  EXPECT_FALSE(well_formed_sample(body, -1));
}

}  // namespace
}  // namespace iccache::select
