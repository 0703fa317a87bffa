// The routing operations (engine/route/route_ops.h) and the router cache
// (route/route_state.h) over an in-memory store (route_store_fake.h) and recording peers:
// what each operation reads and writes, that a failed write leaves nothing and drops the
// cache, the refusals, forget's undo of rewards, and the router's stats rows.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "common/error.h"
#include "error_test_util.h"
#include "route/route_ops.h"
#include "route_store_fake.h"

namespace iccache::route {
namespace {

using testing::FakeRouteStore;

// Records what routing asks of selection, the example manager and the tenant check.
struct Peers : RoutePeers {
  std::vector<std::vector<double>> sims;
  std::vector<std::pair<int64_t, std::string>> samples;  // decision, trailer
  std::vector<std::string> selection;                    // "decision:arm:reward:keep"
  std::vector<manage::FeedbackEvent> events;
  std::vector<int64_t> tenant_checked;
  bool refuse_tenant = false;

  std::vector<double> utilities(const float*, std::string_view, bool, const std::vector<int64_t>& ids,
                                const std::vector<double>& s, double) override {
    sims.push_back(s);
    return std::vector<double>(ids.size(), 0.5);
  }
  void log_sample(int64_t decision, double, const std::string& trailer) override {
    samples.push_back({decision, trailer});
  }
  void selection_feedback(int64_t decision, std::string_view arm, double reward, double, bool keep) override {
    selection.push_back(std::to_string(decision) + ":" + std::string(arm) + ":" + std::to_string(reward) + ":" +
                        (keep ? "keep" : "drop"));
  }
  void example_feedback(const manage::FeedbackEvent& e) override { events.push_back(e); }
  void require_tenant_examples(const std::vector<int64_t>& ids, const std::string& tenant, std::string_view f,
                               std::string_view what) override {
    tenant_checked = ids;
    if (refuse_tenant) throw Error(std::string(f) + ": " + std::string(what) + " is not " + tenant + "'s");
  }
};

struct Fixture {
  TableOptions options;
  std::mt19937_64 nonce{7};
  FakeRouteStore* store = nullptr;  // owned by state
  std::unique_ptr<RouteState> state;
  Peers peers;
  std::vector<float> request{1, 0, 0, 0};

  Fixture() {
    options.dim = 4;
    options.route.shadow = false;
    auto s = std::make_unique<FakeRouteStore>();
    store = s.get();
    store->examples[1] = {1, 0, 0, 0};
    store->examples[2] = {0.6f, 0.8f, 0, 0};
    state = std::make_unique<RouteState>(std::move(s), options, "ex", nonce);
    state->refresh();
  }
  RouteResult route(const std::vector<int64_t>& ids, double at = 1000) {
    return route_request(*state, peers, {request, 12, ids, at, "hello", 2000});
  }
};


TEST(RouteOps, RouteLogsTheDecisionItsSampleAndTheStateInOneSavepoint) {
  Fixture f;
  const RouteResult r = f.route({1, 2});
  EXPECT_EQ(r.decision, 1);
  EXPECT_EQ(r.show_ids, "[1,2]");
  ASSERT_EQ(f.peers.sims.size(), 1u);
  EXPECT_DOUBLE_EQ(f.peers.sims[0][0], 1.0);
  EXPECT_NEAR(f.peers.sims[0][1], 0.6, 1e-7);
  ASSERT_EQ(f.peers.samples.size(), 1u);
  EXPECT_EQ(f.peers.samples[0].first, 1);
  EXPECT_EQ(f.peers.samples[0].second, "");  // no counterfactual probe by default
  const DecisionRow& row = f.store->data.decisions.at(1);
  EXPECT_EQ(row.arm, r.model);
  EXPECT_EQ(row.example_ids, "[1,2]");
  EXPECT_DOUBLE_EQ(row.time, 1000);
  EXPECT_EQ(row.request.size(), 16u);
  EXPECT_EQ(f.store->data.scalars.last_decision, 1);
  EXPECT_EQ(f.store->data.scalars.generation, f.state->generation);  // adopted what was stored
  EXPECT_EQ(f.state->last_decision, 1);
  EXPECT_EQ(f.store->begins, 1);
  EXPECT_EQ(f.store->commits, 1);
  EXPECT_EQ(f.route({}).decision, 2);
}

TEST(RouteOps, AnUnknownExampleIsRefusedBeforeAnythingIsWritten) {
  Fixture f;
  EXPECT_EQ(error_of([&] { f.route({1, 9}); }),
            "iccache_route: example 9 of example_ids_json is not in ex; expected ids of existing examples"
            " (from a MATCH on ex)");
  EXPECT_TRUE(f.store->data.decisions.empty());
  EXPECT_EQ(f.store->begins, 0);
}

TEST(RouteOps, AFailedWriteRollsBackAndDropsTheCache) {
  Fixture f;
  f.store->fail_writes = true;
  EXPECT_THROW(f.route({1}), std::runtime_error);
  EXPECT_EQ(f.store->rollbacks, 1);
  EXPECT_FALSE(f.state->loaded);
  EXPECT_EQ(f.state->last_decision, 0);
  f.store->fail_writes = false;
  f.state->refresh();
  EXPECT_EQ(f.route({1}).decision, 1);
}

TEST(RouteOps, FeedbackTrainsTheServedArmAndCreditsTheExamples) {
  Fixture f;
  const RouteResult r = f.route({2, 1});
  give_feedback(*f.state, f.peers, r.decision, 0.75, "", nullptr, 3000);
  const int arm = f.state->router.arm_index(r.model);
  EXPECT_EQ(f.state->router.arm(arm).n(), 1);
  EXPECT_DOUBLE_EQ(f.state->router.arm(arm).reward_sum(), 0.75);
  EXPECT_EQ(f.store->data.arms.at(r.model).n, 1);
  EXPECT_DOUBLE_EQ(*f.store->data.decisions.at(1).reward, 0.75);
  EXPECT_DOUBLE_EQ(f.store->data.rewarded_at.at(1), 3000);
  ASSERT_EQ(f.peers.events.size(), 1u);
  EXPECT_EQ(f.peers.events[0].example_ids, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(f.peers.events[0].served_model, r.model);
  EXPECT_DOUBLE_EQ(f.peers.events[0].time, 3000);
  EXPECT_EQ(f.peers.selection, (std::vector<std::string>{"1:" + r.model + ":0.750000:drop"}));
  EXPECT_EQ(f.store->data.scalars.generation, f.state->generation);
}

TEST(RouteOps, FeedbackRefusals) {
  Fixture f;
  EXPECT_EQ(error_of([&] { give_feedback(*f.state, f.peers, 5, 1, "", nullptr, 0); }),
            "iccache_feedback: ex has no decision 5; expected the decision id returned by iccache_route"
            " (decisions older than decision_ttl or beyond decision_limit are pruned)");
  f.route({1, 2});
  f.peers.refuse_tenant = true;
  const std::string acme = "acme";
  EXPECT_EQ(error_of([&] { give_feedback(*f.state, f.peers, 1, 1, "", &acme, 0); }),
            "iccache_feedback: decision 1 is not acme's");
  EXPECT_EQ(f.peers.tenant_checked, (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(f.store->data.decisions.at(1).reward);
  f.store->data.decisions.at(1).example_ids = "[1,-]";
  f.peers.refuse_tenant = false;
  EXPECT_EQ(error_of<CorruptData>([&] { give_feedback(*f.state, f.peers, 1, 1, "", nullptr, 0); }),
            "iccache_feedback: decision 1 of ex has example_ids '[1,-]', which is not a JSON array"
            " of example ids; ex_decisions is damaged");
}

TEST(RouteOps, UndoRewardsTakesFeedbackBackOutOfTheArm) {
  Fixture f;
  const RouteResult r = f.route({1});
  f.route({2});
  give_feedback(*f.state, f.peers, 1, 1.0, "", nullptr, 0);
  const int arm = f.state->router.arm_index(r.model);
  EXPECT_EQ(undo_rewards(*f.state, {1, 2, 3}), 1);  // 2 has no reward, 3 does not exist
  EXPECT_EQ(f.state->router.arm(arm).n(), 0);
  EXPECT_EQ(f.store->data.arms.at(r.model).n, 0);
  EXPECT_EQ(f.store->data.scalars.generation, f.state->generation);
  EXPECT_EQ(undo_rewards(*f.state, {2}), 0);
}

TEST(RouteOps, ManualLoadAndCalibration) {
  Fixture f;
  EXPECT_DOUBLE_EQ(set_manual_load(*f.state, 42.0, 0), 42.0);
  EXPECT_EQ(f.store->data.scalars.load.manual, 42.0);
  EXPECT_DOUBLE_EQ(set_manual_load(*f.state, std::nullopt, 0), 0.0);  // nothing measured yet
  EXPECT_EQ(error_of([&] { calibrate(*f.state, 0.5, 10); }).rfind("iccache_calibrate: ex: ", 0), 0u);
  for (int i = 0; i < 20; ++i) f.route({1, 2}, 1000 + i);
  const double w = calibrate(*f.state, 0.5, 20);
  EXPECT_DOUBLE_EQ(f.state->router.cost_weight(), w);
  EXPECT_EQ(f.store->data.scalars.cost_weight, w);
  EXPECT_EQ(f.state->router.calibration()->window, 20);
}

TEST(RouteState, RefreshReadsTheStoreOnlyWhenItsNonceMoved) {
  Fixture f;
  f.store->data.scalars.cost_weight = 0.125;
  f.state->refresh();  // same nonce: the cache stands
  EXPECT_DOUBLE_EQ(f.state->router.cost_weight(), f.options.route.cost_weight);
  f.store->data.scalars.generation = 99;
  f.state->refresh();
  EXPECT_DOUBLE_EQ(f.state->router.cost_weight(), 0.125);
  EXPECT_EQ(f.state->generation, 99);
  f.store->data.scalars.calibration = "xyz";
  f.store->data.scalars.generation = 100;
  EXPECT_EQ(error_of<CorruptData>([&] { f.state->refresh(); }),
            "ex: the calibration in ex_state (key router_calibration) is damaged; expected float64"
            " share, band and ascending thresholds");
  EXPECT_FALSE(f.state->loaded);
}

TEST(RouteStats, RowsOfAFreshRouter) {
  Fixture f;
  StatRows rows;
  router_stats(*f.state, 0, rows);
  std::vector<std::string> keys;
  for (const StatRow& r : rows) keys.push_back(r.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"bandit", "decisions", "decisions_with_feedback", "last_decision", "load",
                                            "load_ema", "load_manual", "load_threshold", "cost_weight",
                                            "arm.small.cost", "arm.small.load_bias", "arm.small.rewards",
                                            "arm.small.mean_reward", "arm.large.cost", "arm.large.load_bias",
                                            "arm.large.rewards", "arm.large.mean_reward", "router_generation"}));
  EXPECT_EQ(std::get<std::string>(rows[0].value), "thompson");
  EXPECT_EQ(std::get<int64_t>(rows[1].value), 0);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[6].value));
  EXPECT_DOUBLE_EQ(std::get<double>(rows[9].value), 0.1);
  EXPECT_DOUBLE_EQ(std::get<double>(rows[13].value), 1.0);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[12].value));
}

TEST(RouteStoredForms, ArmBlobsRoundTripAndWrongSizesAreDamage) {
  Vec b = Vec::Constant(0.25);
  Vec back = Vec::Zero();
  read_stored(stored_bytes(b), back, "ex_router: arm 'small' b");
  EXPECT_EQ(back, b);
  const Mat identity = Mat::Identity();
  EXPECT_EQ(stored_bytes(identity).size(), sizeof(double) * kFeatureDim * kFeatureDim);
  Mat m;
  EXPECT_EQ(error_of<CorruptData>([&] { read_stored("abc", m, "ex_router: arm 'small' a_inv"); }),
            "ex_router: arm 'small' a_inv has 3 bytes; expected " + std::to_string(8 * kFeatureDim * kFeatureDim));
  Features x{};
  x[0] = 1;
  EXPECT_EQ(stored_features(features_bytes(x), "ex", "decision 7"), x);
  EXPECT_EQ(error_of<CorruptData>([&] { stored_features("abcd", "ex", "decision 7"); }),
            "ex_decisions: decision 7 has 4 bytes of features; expected " + std::to_string(sizeof(Features)));
}

}  // namespace
}  // namespace iccache::route
