// Router: learning on a seeded stationary problem (sublinear regret, >= 90% better-arm
// picks after 2,000 decisions), determinism, uncertainty-driven feedback and exploration,
// cache-arm availability, and the ridge posterior against its closed form.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "route/router.h"
#include "route_test_util.h"

namespace iccache::route {
namespace {

using testing::Problem;

// A context with only its first feature (the bias) set.
Features first_feature() {
  Features x{};
  x[0] = 1;
  return x;
}

// `times` rounds of feedback on context x: arm 0 earns r0, arm 1 earns r1.
void teach(Router& r, const Features& x, double r0, double r1, int times) {
  for (int i = 0; i < times; ++i) {
    r.learn(0, x, r0);
    r.learn(1, x, r1);
  }
}

RouterConfig two_arms(Policy p, double cost0 = 0, double cost1 = 0) {
  RouterConfig c;
  c.arms = {{"small", cost0}, {"large", cost1}};
  c.policy = p;
  c.seed = 7;
  return c;
}

struct RunStats {
  std::vector<double> cumulative_regret;  // after each decision
  double late_best_share = 0;             // decisions 2000..2999 that picked the best arm
};

RunStats run(Policy p, int n, uint64_t seed) {
  Router r(two_arms(p));
  Problem prob(seed);
  RunStats s;
  double regret = 0;
  int late = 0, late_best = 0;
  for (int i = 0; i < n; ++i) {
    Features x = prob.context();
    Decision d = r.decide(x, 0, i);
    const int best = Problem::best(x);
    regret += Problem::expected(best, x) - Problem::expected(d.arm, x);
    s.cumulative_regret.push_back(regret);
    if (i >= 2000 && i < 3000) {
      ++late;
      late_best += d.arm == best;
    }
    r.learn(d.arm, x, prob.reward(d.arm, x));
  }
  s.late_best_share = static_cast<double>(late_best) / late;
  return s;
}

class BanditLearns : public ::testing::TestWithParam<Policy> {};

TEST_P(BanditLearns, PicksTheBetterArmAfter2000Decisions) {
  RunStats s = run(GetParam(), 3000, 11);
  EXPECT_GE(s.late_best_share, 0.90);
}

TEST_P(BanditLearns, RegretGrowsSublinearly) {
  RunStats s = run(GetParam(), 8000, 12);
  const double r1 = s.cumulative_regret[1999], r2 = s.cumulative_regret[3999],
               r4 = s.cumulative_regret[7999];
  // Linear regret would double with each doubling of the horizon (ratios 2 and 4); the
  // O(d sqrt(T) log T) of a linear bandit gives about 1.4 and 2.
  EXPECT_LT(r2 / r1, 1.7);
  EXPECT_LT(r4 / r1, 2.8);
}

INSTANTIATE_TEST_SUITE_P(Policies, BanditLearns,
                         ::testing::Values(Policy::kThompson, Policy::kLinUcb),
                         [](const auto& info) {
                           return info.param == Policy::kThompson ? "Thompson" : "LinUcb";
                         });

TEST(Router, DeterministicGivenSeedAndDecisionId) {
  Router a(two_arms(Policy::kThompson)), b(two_arms(Policy::kThompson));
  Problem pa(3), pb(3);
  for (int i = 0; i < 500; ++i) {
    Features xa = pa.context(), xb = pb.context();
    Decision da = a.decide(xa, 0, i), db = b.decide(xb, 0, i);
    ASSERT_EQ(da.arm, db.arm) << i;
    ASSERT_EQ(da.explore, db.explore);
    a.learn(da.arm, xa, pa.reward(da.arm, xa));
    b.learn(db.arm, xb, pb.reward(db.arm, xb));
  }
  // Another seed gives another sequence of draws.
  RouterConfig c = two_arms(Policy::kThompson);
  c.seed = 8;
  Router other(c);
  Problem po(3);
  int differ = 0;
  Router same(two_arms(Policy::kThompson));
  for (int i = 0; i < 200; ++i) {
    Features x = po.context();
    differ += other.decide(x, 0, i).arm != same.decide(x, 0, i).arm;
  }
  EXPECT_GT(differ, 0);
}

TEST(Router, WantsFeedbackOnTiesNotOnClearCases) {
  RouterConfig c = two_arms(Policy::kLinUcb);
  c.explore_rate = 0;
  Router r(c);
  const Features x = first_feature();
  // A fresh router: both arms expect 0 at equal cost, a tie.
  Decision d = r.decide(x, 0, 1);
  EXPECT_TRUE(d.want_feedback);
  EXPECT_DOUBLE_EQ(d.score_std, 0);
  // Teach it that arm 1 earns 1 and arm 0 earns 0 here: clear, no feedback wanted.
  teach(r, x, 0.0, 1.0, 50);
  d = r.decide(x, 0, 2);
  EXPECT_FALSE(d.want_feedback);
  EXPECT_EQ(d.arm, 1);
  EXPECT_GT(d.score_std, 0.4);
  // Equal rewards again: a tie, feedback wanted.
  Router tie(c);
  teach(tie, x, 0.7, 0.7, 50);
  d = tie.decide(x, 0, 3);
  EXPECT_TRUE(d.want_feedback);
  EXPECT_LT(d.score_std, 1e-9);
}

TEST(Router, ExploresTheSecondArmOnlyWhenUnsure) {
  RouterConfig c = two_arms(Policy::kLinUcb);
  c.explore_rate = 0.3;
  Router r(c);
  const Features x = first_feature();
  teach(r, x, 0.50, 0.51, 50);
  int explored = 0, served0 = 0;
  for (int i = 0; i < 2000; ++i) {
    Decision d = r.decide(x, 0, i);
    ASSERT_TRUE(d.want_feedback);
    explored += d.explore;
    served0 += d.arm == 0;
  }
  EXPECT_NEAR(explored / 2000.0, 0.3, 0.04);
  EXPECT_EQ(served0, explored);  // exploring serves the second-ranked arm, arm 0
  // A clear case never explores.
  Router clear(c);
  teach(clear, x, 0.0, 1.0, 50);
  for (int i = 0; i < 500; ++i) ASSERT_FALSE(clear.decide(x, 0, i).explore);
}

TEST(Router, CostWeightAndLoadShiftTheChoice) {
  RouterConfig c = two_arms(Policy::kLinUcb, 0.1, 1.0);
  c.explore_rate = 0;
  c.bias = {10, 0.5, 1.0};
  Router r(c);
  const Features x = first_feature();
  teach(r, x, 0.6, 0.8, 200);
  EXPECT_EQ(r.decide(x, 0, 1).arm, 1);
  r.set_cost_weight(0.3);  // 0.6 - 0.03 > 0.8 - 0.3
  EXPECT_EQ(r.decide(x, 0, 2).arm, 0);
  r.set_cost_weight(0);
  EXPECT_EQ(r.decide(x, 5, 3).arm, 1);    // below the threshold: quality first
  EXPECT_EQ(r.decide(x, 100, 4).arm, 0);  // overloaded: -0.5*tanh(9) ~ -0.5 on large
  EXPECT_NEAR(r.decide(x, 100, 4).score, r.arm(0).mean(x) - 0.05 * std::tanh(9.0), 1e-12);
}

TEST(Router, CacheArmNeedsExamples) {
  RouterConfig c = two_arms(Policy::kLinUcb, 0.1, 1.0);
  c.arms.push_back({"cache", 0.0, true});
  c.explore_rate = 0;
  Router r(c);
  Features none{}, some{};
  none[0] = some[0] = 1;
  some[kCountFeature] = 0.5;
  for (int i = 0; i < 100; ++i) {
    r.learn(2, some, 1.0);
    r.learn(0, some, 0.2);
    r.learn(1, some, 0.2);
    r.learn(0, none, 0.2);
    r.learn(1, none, 0.3);
  }
  EXPECT_EQ(r.decide(some, 0, 1).arm, 2);
  EXPECT_FALSE(r.available(2, none));
  for (int i = 0; i < 100; ++i) ASSERT_NE(r.decide(none, 0, i).arm, 2);
}

TEST(LinearArm, MatchesClosedFormRidge) {
  LinearArm arm(1.0);
  Problem prob(5);
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(kFeatureDim, kFeatureDim);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(kFeatureDim);
  for (int i = 0; i < 300; ++i) {
    Features x = prob.context();
    double r = prob.reward(i % 2, x);
    arm.update(x, r);
    Eigen::Map<const Eigen::VectorXd> xv(x.data(), kFeatureDim);
    a += xv * xv.transpose();
    b += r * xv;
  }
  Eigen::VectorXd theta = a.ldlt().solve(b);
  EXPECT_LT((arm.theta() - theta).norm(), 1e-9);
  EXPECT_LT((arm.a_inv() - a.inverse()).norm(), 1e-9);
  Features x = prob.context();
  Eigen::Map<const Eigen::VectorXd> xv(x.data(), kFeatureDim);
  EXPECT_NEAR(arm.variance(x), xv.dot(a.inverse() * xv), 1e-12);
  EXPECT_EQ(arm.n(), 300);
}

}  // namespace
}  // namespace iccache::route
