// Utility model: the cold-start prior ranks like similarity x quality; on a seeded stream
// whose true helpfulness depends on quality and the source model, online training and the
// batch refit both rank by true helpfulness with Kendall tau >= 0.5 while similarity stays
// below 0.2; serialisation round-trips; the batch fit is the MAP optimum.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "select/utility_model.h"
#include "select_test_util.h"

namespace iccache::select {
namespace {

using namespace testing;

FeatureVec features_of(const SyntheticExample& e, double sim) {
  PairInputs in;
  in.similarity = sim;
  in.quality = e.quality;
  in.source_cost = e.large ? 1.0 : 0.1;
  in.bytes = 300;
  return pair_features(in, nullptr, nullptr);
}

TEST(UtilityModel, ColdStartRanksLikeSimilarityTimesQuality) {
  UtilityModel m;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1), q(0, 1);
  std::vector<double> prior, product;
  for (int i = 0; i < 500; ++i) {
    PairInputs in;
    in.similarity = u(rng);
    in.quality = q(rng);
    in.source_cost = q(rng);
    in.uses = static_cast<int64_t>(10 * q(rng));
    const FeatureVec x = pair_features(in, nullptr, nullptr);
    prior.push_back(m.predict(x));
    product.push_back(in.similarity * in.quality);
    EXPECT_GE(prior.back(), 0);
    EXPECT_LE(prior.back(), 1);
  }
  EXPECT_DOUBLE_EQ(kendall_tau(prior, product), 1.0);
  PairInputs half;
  half.similarity = 1;
  half.quality = 0.5;
  EXPECT_NEAR(m.predict(pair_features(half, nullptr, nullptr)), 0.5, 1e-12);  // sigmoid(-3 + 6 x 0.5)
}

struct Trained {
  UtilityModel online, batch;
  double tau_online = 0, tau_batch = 0, tau_similarity = 0;
};

// 3,000 decisions of 5 random examples each, one Bernoulli reward per example shown.
Trained train_and_evaluate(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int dim = 16;
  const std::vector<SyntheticExample> ex = synthetic_examples(rng, 300, dim);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(ex.size()) - 1);
  std::uniform_real_distribution<double> u(0, 1);
  Trained t;
  std::vector<Sample> log;
  for (int d = 0; d < 3000; ++d) {
    const std::vector<float> req = random_unit(rng, dim);
    for (int j = 0; j < 5; ++j) {
      const SyntheticExample& e = ex[pick(rng)];
      const double sim = dot(req, e.vec);
      const double reward = u(rng) < true_helpfulness(e.quality, e.large, sim) ? 1 : 0;
      const FeatureVec x = features_of(e, sim);
      t.online.observe(x, reward);
      log.push_back({x, reward});
    }
  }
  t.batch.fit(log);
  std::vector<double> truth, online, batch, sims;
  for (int i = 0; i < 1500; ++i) {
    const std::vector<float> req = random_unit(rng, dim);
    const SyntheticExample& e = ex[pick(rng)];
    const double sim = dot(req, e.vec);
    truth.push_back(true_helpfulness(e.quality, e.large, sim));
    online.push_back(t.online.predict(features_of(e, sim)));
    batch.push_back(t.batch.predict(features_of(e, sim)));
    sims.push_back(sim);
  }
  t.tau_online = kendall_tau(online, truth);
  t.tau_batch = kendall_tau(batch, truth);
  t.tau_similarity = kendall_tau(sims, truth);
  return t;
}

TEST(UtilityModel, LearnsTrueHelpfulnessWhereSimilarityFails) {
  for (uint64_t seed : {11, 12, 13}) {
    const Trained t = train_and_evaluate(seed);
    std::printf("seed %d: Kendall tau vs truth: online %.3f, batch %.3f, similarity %.3f\n",
                static_cast<int>(seed), t.tau_online, t.tau_batch, t.tau_similarity);
    EXPECT_GE(t.tau_online, 0.5) << seed;
    EXPECT_GE(t.tau_batch, 0.5) << seed;
    EXPECT_LT(t.tau_similarity, 0.2) << seed;
    EXPECT_EQ(t.online.samples(), 15000);
    EXPECT_EQ(t.batch.samples(), 15000);
    // The prior (similarity x quality) does worse than either trained model.
    EXPECT_GT(t.batch.weights()[kQualityCost], 0) << seed;
  }
}

TEST(UtilityModel, BatchFitIsTheMapOptimumAndDeterministic) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Sample> log;
  for (int i = 0; i < 400; ++i) {
    PairInputs in;
    in.similarity = 2 * u(rng) - 1;
    in.quality = u(rng);
    in.source_cost = u(rng) < 0.5 ? 1 : 0.1;
    log.push_back({pair_features(in, nullptr, nullptr), u(rng)});  // soft labels
  }
  UtilityModel a, b;
  a.fit(log);
  b.fit(log);
  EXPECT_EQ(a.serialize(), b.serialize());
  // Gradient of the negative log posterior vanishes at the fit.
  WeightVec g = UtilityModel::kPriorPrecision * (a.weights() - UtilityModel::prior_weights());
  for (const Sample& s : log) {
    const Eigen::Map<const WeightVec> x(s.x.data());
    g += (sigmoid(a.weights().dot(x)) - s.label) * x;
  }
  EXPECT_LT(g.norm(), 1e-6);
  // No data: the prior itself.
  UtilityModel empty;
  empty.fit({});
  EXPECT_TRUE(empty.weights().isApprox(UtilityModel::prior_weights()));
}

TEST(UtilityModel, SerialisationRoundTripsAndRejectsDamage) {
  UtilityModel m;
  PairInputs in;
  in.similarity = 0.4;
  in.quality = 0.9;
  m.observe(pair_features(in, nullptr, nullptr), 1);
  UtilityModel r;
  ASSERT_TRUE(r.deserialize(m.serialize()));
  EXPECT_EQ(r.serialize(), m.serialize());
  EXPECT_EQ(r.samples(), 1);
  EXPECT_FALSE(r.deserialize("short"));
  std::string bad = m.serialize();
  const double nan = std::nan("");
  std::memcpy(bad.data(), &nan, sizeof nan);
  EXPECT_FALSE(r.deserialize(bad));
  EXPECT_EQ(r.serialize(), m.serialize());  // a rejected blob changes nothing
}

}  // namespace
}  // namespace iccache::select
