// Ground truth through SQL: a seeded synthetic stream where an example's true helpfulness
// depends on its quality and on the model that wrote it, and only a little on similarity.
// After routing with one random example per request, feeding back Bernoulli rewards and
// 'train', MATCH's utility ranks (request, example) pairs by true helpfulness with Kendall
// tau >= 0.5, while similarity stays below 0.2.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "../common/kendall_tau.h"
#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::kendall_tau;

namespace {

constexpr int kDim = 8;

double truth(double quality, bool large, double sim) {
  return std::clamp(0.05 + 0.75 * quality * (large ? 1.0 : 0.25) + 0.1 * std::max(0.0, sim), 0.0, 1.0);
}

std::vector<double> unit(std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  std::vector<double> v(kDim);
  double s = 0;
  for (double& x : v) x = g(rng), s += x * x;
  for (double& x : v) x /= std::sqrt(s);
  return v;
}

std::string json(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

TEST(SelectLearning, UtilityRanksByTrueHelpfulnessWhereSimilarityDoesNot) {
  Db db;
  // cost_weight=100: the cheap arm (which uses the examples) serves, so every reward teaches.
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=8, embedder='none', seed=11,"
          " models='small:0.1,large:1', cost_weight=100, threshold=0, warmup=0)");
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> u(0, 1);
  struct Ex { double quality; bool large; std::vector<double> vec; };
  std::vector<Ex> ex;
  db.exec("BEGIN");
  for (int i = 1; i <= 200; ++i) {
    ex.push_back({u(rng), u(rng) < 0.5, unit(rng)});
    db.exec("INSERT INTO ex(rowid, request, response, embedding, quality, model) VALUES(" + std::to_string(i) +
            ", 'r', 's', '" + json(ex.back().vec) + "', " + std::to_string(ex.back().quality) + ", '" +
            (ex.back().large ? "large" : "small") + "')");
  }
  db.exec("COMMIT");
  auto sim = [&](const std::vector<double>& q, int id) {
    double s = 0;
    for (int j = 0; j < kDim; ++j) s += q[j] * ex[id - 1].vec[j];
    return s;
  };
  std::uniform_int_distribution<int> pick(1, 200);
  db.exec("BEGIN");
  for (int i = 0; i < 2000; ++i) {
    const std::vector<double> q = unit(rng);
    const int id = pick(rng);
    const Rows r = db.query("SELECT decision, model FROM iccache_route('ex', iccache_vector('" + json(q) + "'), '[" +
                            std::to_string(id) + "]', " + std::to_string(1000 + i) + ")");
    ASSERT_EQ(r[0][1], "small");
    const Ex& e = ex[id - 1];
    const double reward = u(rng) < truth(e.quality, e.large, sim(q, id)) ? 1 : 0;
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + std::to_string(reward) + ")");
  }
  db.exec("COMMIT");
  db.exec("INSERT INTO ex(ex) VALUES('train')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), "2000");

  std::vector<double> t, utility, similarity;
  for (int i = 0; i < 15; ++i) {
    const std::vector<double> q = unit(rng);
    for (const auto& row : db.query("SELECT rowid, similarity, utility FROM ex WHERE ex MATCH iccache_vector('" + json(q) +
                                    "') AND k = 200")) {
      const int id = std::stoi(row[0]);
      t.push_back(truth(ex[id - 1].quality, ex[id - 1].large, std::stod(row[1])));
      similarity.push_back(std::stod(row[1]));
      utility.push_back(std::stod(row[2]));
    }
  }
  ASSERT_EQ(t.size(), 3000u);
  const double tau_utility = kendall_tau(utility, t), tau_similarity = kendall_tau(similarity, t);
  EXPECT_GE(tau_utility, 0.5);
  EXPECT_LT(tau_similarity, 0.2);
  std::printf("Kendall tau vs true helpfulness: utility %.3f, similarity %.3f\n", tau_utility, tau_similarity);
}

}  // namespace
