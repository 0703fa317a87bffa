// Selection's state and how it learns from routing (engine/select/select_state.h,
// select_feedback.h) over an in-memory store: the nonce-checked reload and its refusals,
// the logged sample, which rewards label and teach, the refit, and the stats rows.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

#include "common/error.h"
#include "error_test_util.h"
#include "common/number_format.h"
#include "route/decision_log.h"
#include "select/learning.h"
#include "select/select_feedback.h"

namespace iccache::select {
namespace {


struct FakeSelectStore : SelectStore {
  int64_t gen = 0;
  std::optional<std::string> model, tuner;
  std::map<int64_t, SampleRow> samples;
  std::map<int64_t, CandidateRow> rows;
  std::vector<std::string> log;  // "prune:<max_pruned>", "state:<model?><tuner?>"

  int64_t generation() override { return gen; }
  std::optional<std::string> model_blob() override { return model; }
  std::optional<std::string> tuner_blob() override { return tuner; }
  void write_state(const std::string* m, const std::string* t, int64_t g) override {
    if (m) model = *m;
    if (t) tuner = *t;
    gen = g;
    log.push_back(std::string("state:") + (m ? "model" : "") + (t ? "tuner" : ""));
  }
  void insert_sample(const SampleRow& r) override { samples[r.decision] = r; }
  std::optional<SampleRow> sample(int64_t d) override {
    auto it = samples.find(d);
    if (it == samples.end()) return std::nullopt;
    return it->second;
  }
  void label(int64_t d, double reward, double) override { samples[d].reward = reward; }
  void remove(int64_t d) override { samples.erase(d); }
  std::vector<Sample> labelled() override {
    std::vector<Sample> out;
    for (const auto& [d, r] : samples)
      if (r.reward)
        for (const Sample& s : labelled_pairs(d, r.features, r.shown, *r.reward, "ex")) out.push_back(s);
    return out;
  }
  int64_t count(bool labelled_only) override {
    int64_t n = 0;
    for (const auto& [d, r] : samples) n += !labelled_only || r.reward.has_value();
    return n;
  }
  void prune(double, int64_t max_pruned, int) override { log.push_back("prune:" + std::to_string(max_pruned)); }
  bool read(int64_t id, bool, CandidateRow& out) override {
    auto it = rows.find(id);
    if (it == rows.end()) return false;
    out = it->second;
    return true;
  }
  void follow_attributes(CandidateCache&, int64_t) override {}
};

struct Fixture {
  TableOptions options;
  std::mt19937_64 nonce{3};
  FakeSelectStore* store = nullptr;
  std::unique_ptr<SelectState> state;
  std::vector<float> request{1, 0, 0, 0};

  Fixture() {
    options.dim = 4;
    auto s = std::make_unique<FakeSelectStore>();
    store = s.get();
    store->rows[1] = CandidateRow{0.9, "large", 3, 1, 100, 0, "", 0, 11};
    store->rows[2] = CandidateRow{0.4, "small", 0, 0, 50, 0, "", 0, 12};
    state = std::make_unique<SelectState>(std::move(s), options, "ex", nonce);
    state->refresh();
  }
  // Routes decision d over ids and logs its sample, as iccache_route does.
  std::vector<double> route(int64_t d, const std::vector<int64_t>& ids) {
    SampleRow sample;
    const std::vector<double> u =
        route_utilities(*state, request.data(), "", false, ids, std::vector<double>(ids.size(), 0.5), 1000, sample);
    log_selection_sample(*state, sample, d, 1000);
    return u;
  }
};

TEST(SelectFeedback, TheSampleHoldsEachExamplesFeaturesAndTheServingThreshold) {
  Fixture f;
  const std::vector<double> u = f.route(1, {1, 9, 2});  // 9 is gone: utility 0, zero features
  EXPECT_DOUBLE_EQ(u[1], 0.0);
  const SampleRow& s = f.store->samples.at(1);
  EXPECT_EQ(s.shown, 3);
  EXPECT_EQ(s.features.size(), 3 * sizeof(FeatureVec));
  EXPECT_EQ(s.features.substr(sizeof(FeatureVec), sizeof(FeatureVec)), std::string(sizeof(FeatureVec), '\0'));
  EXPECT_DOUBLE_EQ(s.time, 1000);
  EXPECT_GE(s.tuner, 0);  // selection='utility': a grid threshold served it
  EXPECT_TRUE(f.store->log.empty());
  f.options.select.selection = SelectionKind::kSimilarity;
  f.route(route::kPruneEvery, {1});
  EXPECT_EQ(f.store->samples.at(route::kPruneEvery).tuner, -1);  // no threshold to learn
  ASSERT_EQ(f.store->log.size(), 1u);  // every kPruneEvery-th decision prunes
  EXPECT_EQ(f.store->log[0].rfind("prune:", 0), 0u);
}

TEST(SelectFeedback, ATeachingArmsRewardLabelsAndSteps) {
  Fixture f;
  f.route(1, {1, 2});
  record_selection_feedback(*f.state, 1, "small", 0.75, 2000);
  EXPECT_EQ(f.store->samples.at(1).reward, 0.75);
  EXPECT_EQ(f.store->log, (std::vector<std::string>{"state:modeltuner"}));
  EXPECT_EQ(f.state->generation, f.store->gen);
  EXPECT_EQ(f.state->model.samples(), 2);  // one online step per example shown
  record_selection_feedback(*f.state, 1, "small", 0.25, 2000);  // labelled already: nothing
  EXPECT_EQ(f.store->samples.at(1).reward, 0.75);
  EXPECT_EQ(f.store->log.size(), 1u);
}

TEST(SelectFeedback, ANonTeachingArmDropsTheSampleUnlessAShadowMayTeach) {
  Fixture f;
  f.route(1, {1});
  f.route(2, {2});
  record_selection_feedback(*f.state, 1, "large", 1, 2000, true);
  EXPECT_FALSE(f.store->samples.at(1).reward);  // kept for the shadow's reward
  record_selection_feedback(*f.state, 2, "large", 1, 2000, false);
  EXPECT_EQ(f.store->samples.count(2), 0u);
  EXPECT_TRUE(f.store->log.empty());
}

TEST(SelectFeedback, TrainRefitsOnEveryLabelledPairAndReloadsNext) {
  Fixture f;
  f.route(1, {1, 2});
  f.route(2, {1});
  f.route(3, {2});
  record_selection_feedback(*f.state, 1, "small", 1, 2000);
  record_selection_feedback(*f.state, 3, "small", 0, 2000);
  f.store->log.clear();
  EXPECT_EQ(train_utility_model(*f.state), 3);
  EXPECT_EQ(f.store->log, (std::vector<std::string>{"state:model"}));
  EXPECT_FALSE(f.state->loaded);
  f.state->refresh();
  EXPECT_EQ(f.state->model.samples(), 3);
}

TEST(SelectState, DamagedBlobsAreRefused) {
  const std::string damaged[] = {
      "ex: the utility model in ex_state (key select_model) is damaged; expected " +
          std::to_string(8 * (kFeatureCount * (kFeatureCount + 1) + 1)) + " bytes of finite numbers",
      "ex: the threshold tuner in ex_state (key select_tuner) is damaged or does not fit the threshold_grid option"};
  for (int blob = 0; blob < 2; ++blob) {
    Fixture f;
    (blob == 0 ? f.store->model : f.store->tuner) = "junk";
    f.store->gen = 5;  // another writer's nonce: the next use reloads
    EXPECT_EQ(error_of<CorruptData>([&] { f.state->refresh(); }), damaged[blob]);
    EXPECT_FALSE(f.state->loaded);
  }
}

TEST(SelectStats, RowsOfAFreshState) {
  Fixture f;
  StatRows rows;
  select_stats(*f.state, rows);
  EXPECT_EQ(rows[0].key, "selection");
  EXPECT_EQ(std::get<std::string>(rows[0].value), "utility");
  EXPECT_EQ(rows[3].key, "threshold_source");
  EXPECT_EQ(std::get<std::string>(rows[3].value), "tuned");
  const size_t grid = f.state->tuner.grid().size();
  EXPECT_EQ(rows.size(), 6 + 3 * grid + 6 + kFeatureCount);
  EXPECT_EQ(rows[6].key, "threshold." + format_number(f.state->tuner.grid()[0]) + ".requests");
  EXPECT_EQ(rows.back().key, std::string("utility.w.") + feature_name(kFeatureCount - 1));
  EXPECT_EQ(std::get<int64_t>(rows[rows.size() - kFeatureCount - 2].value), 0);  // utility_log
}

TEST(SelectStore, RequestTextKeyIsFnv1aOverTheEncodingAndTheStoredBytes) {
  EXPECT_EQ(request_text_key(0, ""), 1469598103934665603ull);
  EXPECT_EQ(request_text_key(2, "ab"), 11215444117642639526ull);
  EXPECT_NE(request_text_key(1, "ab"), request_text_key(2, "ab"));
}

TEST(SelectStore, DamagedSamplesAreRefusedWithTheirDecision) {
  SampleRow r;
  r.decision = 4;
  r.shown = 2;
  r.features = std::string(sizeof(FeatureVec) * 2, '\0');
  EXPECT_NO_THROW(check_sample(r, "ex"));
  EXPECT_EQ(labelled_pairs(4, r.features, 2, 0.5, "ex").size(), 2u);
  r.features.pop_back();
  EXPECT_EQ(error_of<CorruptData>([&] { check_sample(r, "ex"); }),
            "ex: the selection sample of decision 4 has " +
            std::to_string(2 * sizeof(FeatureVec) - 1) +
            " bytes of features for 2 examples; expected " +
            std::to_string(8 * kFeatureCount) +
            " bytes per example (and, for a counterfactual sample, 8 bytes per example"
            " and 8 more)");
  EXPECT_EQ(error_of<CorruptData>([&] { labelled_pairs(4, r.features, 2, 0.5, "ex"); }),
            "ex: the selection sample of decision 4 has features of the wrong size;"
            " expected " + std::to_string(sizeof(FeatureVec)) + " bytes per example shown");
}

}  // namespace
}  // namespace iccache::select
