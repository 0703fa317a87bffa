#include "route/calibrate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common/error.h"
#include "common/number_format.h"

namespace iccache::route {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
// Weights beyond this are as good as infinite (rewards live in [0, 1]); keeping the result
// finite keeps it storable and printable.
constexpr double kMaxWeight = 1e6;
}  // namespace

double expensive_threshold(const Router& r, const LoggedDecision& d) {
  const Features& x = d.x;
  const int top = r.expensive_arm();
  const double c_top = r.config().arms[top].cost;
  const double m_top = r.policy_reward(top, x, r.draw(d.id, top));
  double t = kInf;
  for (int a = 0; a < r.arm_count(); ++a) {
    if (a == top || !r.available(a, x)) continue;
    const double c = r.config().arms[a].cost, m = r.policy_reward(a, x, r.draw(d.id, a));
    if (c < c_top) {
      t = std::min(t, (m_top - m) / (c_top - c));
    } else if (m > m_top || (m == m_top && a < top)) {
      return -kInf;  // an equally expensive arm wins whatever the weight
    }
  }
  return t;
}

double expensive_share(const Router& r, std::span<const LoggedDecision> recent, double w) {
  if (recent.empty()) return 0;
  size_t n = 0;
  for (const LoggedDecision& d : recent) n += expensive_threshold(r, d) > w;
  return static_cast<double>(n) / static_cast<double>(recent.size());
}

double calibrate_cost_weight(const Router& r, std::span<const LoggedDecision> recent, double share) {
  return calibrate_router(r, recent, share).cost_weight;
}

CalibrationResult calibrate_router(const Router& r, std::span<const LoggedDecision> recent, double share) {
  if (recent.empty())
    throw Error("calibration needs logged decisions; route some requests first");
  const int top = r.expensive_arm();
  bool cheaper = false;
  for (const ArmSpec& a : r.config().arms) cheaper |= a.cost < r.config().arms[top].cost;
  if (!cheaper)
    throw Error("calibration needs arms of different cost; every model has cost " +
                format_number(r.config().arms[top].cost));
  std::vector<double> t;
  t.reserve(recent.size());
  for (const LoggedDecision& d : recent) t.push_back(expensive_threshold(r, d));
  std::sort(t.begin(), t.end(), std::greater<>());  // t[0] is the most expensive-leaning
  const size_t n = t.size();
  const size_t k = static_cast<size_t>(std::llround(std::clamp(share, 0.0, 1.0) * n));
  // k decisions must have threshold > w and the rest <= w: w in [t[k], t[k-1]).
  auto finite = [](double v) { return std::clamp(v, -kMaxWeight, kMaxWeight); };
  double w;
  if (k == 0) {
    w = finite(t[0]);
  } else if (k == n) {
    w = finite(t[n - 1]) - 1e-9 - 1e-9 * std::abs(finite(t[n - 1]));
  } else {
    const double hi = finite(t[k - 1]), lo = finite(t[k]);
    w = hi > lo ? 0.5 * (hi + lo) : lo;  // ties: the share steps past the target
  }
  CalibrationResult out;
  out.cost_weight = std::clamp(w, -kMaxWeight, kMaxWeight);
  out.calibration.share = std::clamp(share, 0.0, 1.0);
  out.calibration.window = static_cast<int64_t>(n);
  out.calibration.rewards_at = r.total_rewards();
  double c_min = r.config().arms[top].cost;
  for (const ArmSpec& a : r.config().arms) c_min = std::min(c_min, a.cost);
  out.calibration.band = kTieBand / (r.config().arms[top].cost - c_min);
  std::vector<double>& q = out.calibration.thresholds;
  const size_t m = std::min(n, kMaxCalibrationPoints);
  q.reserve(m);
  // Ascending; evenly spaced quantiles when the window is larger than what is kept.
  for (size_t i = 0; i < m; ++i) q.push_back(finite(t[(i * n + n / 2) / m]));
  std::sort(q.begin(), q.end());
  return out;
}

std::string serialize_calibration(const Calibration& c) {
  std::vector<double> v;
  v.reserve(c.thresholds.size() + 2);
  v.push_back(c.share);
  v.push_back(c.band);
  v.push_back(static_cast<double>(c.window));
  v.push_back(static_cast<double>(c.rewards_at));
  v.insert(v.end(), c.thresholds.begin(), c.thresholds.end());
  return std::string(reinterpret_cast<const char*>(v.data()), sizeof(double) * v.size());
}

std::optional<Calibration> parse_calibration(std::string_view blob) {
  if (blob.size() % sizeof(double) != 0 || blob.size() < 5 * sizeof(double)) return std::nullopt;
  std::vector<double> v(blob.size() / sizeof(double));
  std::memcpy(v.data(), blob.data(), blob.size());
  Calibration c;
  c.share = v[0];
  c.band = v[1];
  if (!(v[2] >= 1 && v[2] < 1e15) || !(v[3] >= 0 && v[3] < 1e18)) return std::nullopt;
  c.window = static_cast<int64_t>(v[2]);
  c.rewards_at = static_cast<int64_t>(v[3]);
  c.thresholds.assign(v.begin() + 4, v.end());
  if (!(c.share >= 0 && c.share <= 1) || !(c.band >= 0) || !std::isfinite(c.band)) return std::nullopt;
  for (size_t i = 0; i < c.thresholds.size(); ++i)
    if (!std::isfinite(c.thresholds[i]) || (i && c.thresholds[i] < c.thresholds[i - 1])) return std::nullopt;
  return c;
}

}  // namespace iccache::route
