// RouteLLM-style calibration: choose the cost weight so that a target share of recent
// decisions would go to the most expensive arm if the router decided them again now (current
// posterior, each decision's own seeded draws). For one decision the expensive arm wins
// exactly while the cost weight is below a per-decision threshold (its policy-reward lead
// over each cheaper arm divided by the cost gap), so the share is a step function of the
// weight and the weight is a quantile of those thresholds. The load bias and the explore
// coin are left out: calibration sets the quality/cost trade-off at no load.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "route/features.h"
#include "route/router.h"

namespace iccache::route {

struct LoggedDecision {
  Features x{};
  uint64_t id = 0;  // decision id: selects the seeded draws
};

// The cost weight below which the expensive arm wins decision d (+inf: always wins,
// -inf: never, e.g. an equally expensive arm is better).
double expensive_threshold(const Router& r, const LoggedDecision& d);

// Share of `recent` that would go to the most expensive arm at cost weight w.
double expensive_share(const Router& r, std::span<const LoggedDecision> recent, double w);

// Cost weight that sends `share` (0..1) of `recent` to the most expensive arm. Throws
// iccache::Error when recent is empty or every arm costs the same.
double calibrate_cost_weight(const Router& r, std::span<const LoggedDecision> recent, double share);

// Thresholds closer than this many reward units (per unit of the largest cost gap) count as
// tied: learning between two calibrations moves a cluster of equal contexts by less.
constexpr double kTieBand = 0.02;
constexpr size_t kMaxCalibrationPoints = 2048;

// The cost weight as above plus the Calibration the router decides by (router.h): the
// window's sorted thresholds, so decisions tied at the quantile are split at random and the
// share is met even when few distinct contexts make many thresholds equal.
struct CalibrationResult {
  double cost_weight = 0;
  Calibration calibration;
};
CalibrationResult calibrate_router(const Router& r, std::span<const LoggedDecision> recent, double share);

// The stored form of a calibration (T_state router_calibration): float64 in host order,
// share, band, window, rewards at calibration, then the ascending thresholds.
std::string serialize_calibration(const Calibration& c);
// nullopt when the blob is not share in [0, 1], a finite band >= 0, a window >= 1, a
// reward count >= 0 and one or more ascending finite thresholds.
std::optional<Calibration> parse_calibration(std::string_view blob);

}  // namespace iccache::route
