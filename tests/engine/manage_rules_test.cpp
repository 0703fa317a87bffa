// The example manager's rules in the engine: a feedback's validation and costs
// (feedback_observation), the statistics' tuning from the options (stats_params), the
// budget check before an INSERT and the low-water capacity of automatic eviction.
#include <gtest/gtest.h>

#include <limits>

#include "common/error.h"
#include "manage/eviction.h"
#include "manage/example_stats.h"
#include "route/features.h"

namespace iccache {
namespace {

const std::vector<ModelArm> kModels = {{"small", 0.1}, {"large", 1.0}};

std::string feedback_error(std::string_view model, double reward, double time) {
  try {
    manage::feedback_observation("ex", kModels, model, reward, time);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ManageRules, FeedbackObservationCostsAndValidation) {
  const manage::FeedbackObservation o = manage::feedback_observation("ex", kModels, "small", 0.75, 100);
  EXPECT_EQ(o.reward, 0.75);
  EXPECT_EQ(o.time, 100);
  EXPECT_EQ(o.served_cost, 0.1);
  EXPECT_EQ(o.max_cost, 1.0);
  EXPECT_EQ(manage::feedback_observation("ex", kModels, "large", 0, 0).served_cost, 1.0);
  EXPECT_EQ(feedback_error("small", 1.5, 0), "ex: feedback reward 1.500000 is not valid; expected a number from 0 to 1");
  EXPECT_EQ(feedback_error("small", std::numeric_limits<double>::quiet_NaN(), 0).substr(0, 23),
            "ex: feedback reward nan");
  EXPECT_EQ(feedback_error("small", 0.5, -5),
            "ex: feedback time -5.000000 is not valid; expected seconds since 1970 (a number >= 0)");
  EXPECT_EQ(feedback_error("medium", 0.5, 0), "ex: feedback names the unknown model 'medium'; expected one of small, large");
  const std::vector<ModelArm> free = {{"a", 0}};
  EXPECT_EQ(manage::feedback_observation("ex", free, "a", 1, 0).max_cost, 0.0);
}

TEST(ManageRules, StatsParamsFollowTheOptions) {
  ManageOptions o;
  o.ema_alpha = 0.3;
  o.half_life = 60;
  o.success_reward = 0.8;
  const manage::StatsParams p = manage::stats_params(o);
  EXPECT_EQ(p.ema_alpha, 0.3);
  EXPECT_EQ(p.half_life, 60);
  EXPECT_EQ(p.success_reward, 0.8);
}

TEST(ManageRules, BudgetCheckAndLowWater) {
  EXPECT_NO_THROW(manage::check_fits_budget("ex", 1000, 1000, std::nullopt));
  EXPECT_NO_THROW(manage::check_fits_budget("ex", 1 << 30, std::nullopt, std::nullopt));
  try {
    manage::check_fits_budget("big", 1097, 1000, std::nullopt);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "big: the example takes 1097 bytes, more than the whole budget of 1000 bytes;"
                           " expected an example that fits the budget (or a larger budget=...)");
  }
  try {
    manage::check_fits_budget("ex", 5264, 100000, 2100);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ex: the example takes 5264 bytes, more than the whole tenant_budget of 2100 bytes;"
                           " expected an example that fits a tenant's budget (or a larger tenant_budget=...)");
  }
  EXPECT_EQ(manage::low_water_capacity(0.9, 1000), 900);
  EXPECT_EQ(manage::low_water_capacity(0.9, 1001), 900);  // rounded down
  EXPECT_EQ(manage::low_water_capacity(1.0, 1001), 1001);
  EXPECT_EQ(manage::low_water_capacity(0.5, int64_t{1} << 40), int64_t{1} << 39);
}

TEST(RouteRules, ExampleSimilarityIsTheInnerProductInDouble) {
  const float a[3] = {0.6f, 0.8f, 0.0f}, b[3] = {0.8f, 0.6f, 0.0f};
  EXPECT_DOUBLE_EQ(route::example_similarity(a, b, 3), double(0.6f) * 0.8f + double(0.8f) * 0.6f);
  EXPECT_DOUBLE_EQ(route::example_similarity(a, a, 3), double(0.6f) * 0.6f + double(0.8f) * 0.8f);
}

}  // namespace
}  // namespace iccache
