// How selection learns from routing's rewards.
//
// Which served arms teach: only decisions served by an arm that used the examples teach
// anything: the `cache` arm (a verbatim answer) and the most expensive model (in the
// IC-Cache setup it runs without examples) do not, unless every model costs the same (then
// no arm is "the expensive one" and all are taken to use the examples).
//
// What a reward teaches: each decision logs a sample (T_samples, ext/select/select_store.h)
// whose features blob holds the pair features of every example shown, float64 in host
// order, then, for utility_labels='counterfactual', the probe's trailer (counterfactual.h).
// Its reward is one online step of the utility model per example, and adds reward -
// prefill_penalty x shown to the threshold that served the request (threshold_tuner.h).
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options/table_options.h"
#include "select/threshold_tuner.h"
#include "select/utility_features.h"
#include "select/utility_model.h"

namespace iccache::select {

// True when a reward for a request served by `arm` is a label for the examples it showed.
// An arm that is not among `models` (the cache arm, a model no longer configured) never is.
bool learns_from(std::span<const ModelArm> models, std::string_view arm);

// The features blob of a sample: the examples' pair features in order.
std::string encode_sample_features(std::span<const FeatureVec> examples);

// What a rewarded sample teaches: per example shown, its features and label (the reward,
// or with a counterfactual trailer its counterfactual_label).
struct SampleLabels {
  std::vector<Sample> pairs;
  bool probe = false;        // a probe left examples out
  bool well_formed = false;  // the blob is exactly the features, or they and a valid trailer
};
// nullopt when `shown` is negative or the blob holds fewer than `shown` feature vectors.
std::optional<SampleLabels> sample_labels(std::string_view features, int64_t shown, double reward);
// Whether a sample's blob is exactly `shown` feature vectors, or they and a valid trailer.
bool well_formed_sample(std::string_view features, int64_t shown);

// What learn_from_reward changed.
struct Lesson {
  bool model = false;  // the utility model took a step (the sample showed examples)
  bool tuner = false;  // the threshold tuner recorded the reward
};

// Teaches `model` and `tuner` the reward of a sample that showed `shown` examples, whose
// features blob is `features` (encode_sample_features, maybe followed by a counterfactual
// trailer) and whose request was served with grid threshold `tuner_index` (-1: none, the
// table does not select by utility). With a trailer the labels are counterfactual
// (counterfactual_label), and a probe, which did not show what the threshold chose, tells
// the tuner nothing; neither does a pinned threshold (the threshold option).
Lesson learn_from_reward(UtilityModel& model, ThresholdTuner& tuner, std::string_view features, int shown,
                         int tuner_index, double reward, bool threshold_pinned);

}  // namespace iccache::select
