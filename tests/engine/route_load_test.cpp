// Load: the EMA follows the arrival rate and halves every half-life; the bias is 0 at and
// below the threshold, non-increasing and bounded by beta * cost above it.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "route/load.h"

namespace iccache::route {
namespace {

TEST(LoadTracker, EstimatesAPoissonRate) {
  LoadTracker t(10.0);
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> gap(50.0);  // 50 requests per second
  double now = 1000;
  for (int i = 0; i < 20000; ++i) t.arrive(now += gap(rng));
  EXPECT_NEAR(t.measured_at(now), 50.0, 5.0);
  // Silence: halves every half-life.
  EXPECT_NEAR(t.measured_at(now + 10), t.measured_at(now) / 2, 1e-9);
  EXPECT_NEAR(t.measured_at(now + 30), t.measured_at(now) / 8, 1e-9);
}

TEST(LoadTracker, ExactValuesAndManualOverride) {
  LoadTracker t(2.0);
  EXPECT_EQ(t.measured_at(5), 0);
  t.arrive(100);
  EXPECT_DOUBLE_EQ(t.measured_at(100), std::log(2.0) / 2);
  t.arrive(102);  // one half-life later: half of the first plus a new arrival
  EXPECT_DOUBLE_EQ(t.measured_at(102), 1.5 * std::log(2.0) / 2);
  t.arrive(101);  // out of order counts as simultaneous with the last
  EXPECT_DOUBLE_EQ(t.measured_at(102), 2.5 * std::log(2.0) / 2);
  t.set_manual(42.0);
  EXPECT_EQ(t.load_at(500), 42.0);
  t.set_manual(std::nullopt);
  EXPECT_EQ(t.load_at(102), t.measured_at(102));
}

TEST(LoadBias, ZeroBelowMonotoneAndBoundedAbove) {
  LoadBiasParams p{10, 0.5, 2.0};
  for (double load : {0.0, 1.0, 9.99, 10.0}) EXPECT_EQ(load_bias(p, 1.0, load), 0.0) << load;
  double prev = 0;
  for (double load = 10.0; load < 1000; load *= 1.05) {
    const double b = load_bias(p, 1.0, load);
    EXPECT_LE(b, prev);
    EXPECT_GE(b, -0.5);
    prev = b;
  }
  EXPECT_NEAR(load_bias(p, 1.0, 1e6), -0.5, 1e-9);
  EXPECT_DOUBLE_EQ(load_bias(p, 1.0, 15), -0.5 * std::tanh(1.0));
  // Proportional to cost: the free arm gets none, a cheap arm a little.
  EXPECT_EQ(load_bias(p, 0.0, 100), 0.0);
  EXPECT_DOUBLE_EQ(load_bias(p, 0.1, 15), 0.1 * load_bias(p, 1.0, 15));
}

TEST(LoadTracker, ReportTimeIsNowOrALaterLastArrival) {
  LoadTracker t(10);
  EXPECT_EQ(t.report_time(100), 100);  // no arrival yet
  t.arrive(200);                       // a replayed timestamp ahead of the clock
  EXPECT_EQ(t.report_time(100), 200);
  EXPECT_EQ(t.report_time(300), 300);
}

}  // namespace
}  // namespace iccache::route
