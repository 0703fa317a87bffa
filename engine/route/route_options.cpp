#include "route/route_options.h"

#include <charconv>
#include <cmath>

#include "common/error.h"

namespace iccache {

namespace {

enum Key {
  kBandit, kCacheArm, kHalfLife, kThreshold, kBeta, kGamma, kCostWeight, kFeedbackStd,
  kExploreRate, kDecisionLimit, kDecisionTtl, kExploreMode, kPriorReward, kWarmup, kKeyCount
};

const std::vector<std::string_view>& names() {
  static const std::vector<std::string_view> n = {
      "bandit",       "cache_arm",    "load_half_life", "load_threshold",
      "load_beta",    "load_gamma",   "cost_weight",  "feedback_std",   "explore_rate",
      "decision_limit", "decision_ttl", "explore_mode", "prior_reward", "warmup"};
  return n;
}

[[noreturn]] void invalid(std::string_view table, std::string_view key, std::string_view value,
                          std::string_view expected) {
  throw Error(std::string(table) + ": option " + std::string(key) + "=" + std::string(value) +
              " is not valid; expected " + std::string(expected));
}

bool parse_double(std::string_view s, double& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

// A finite number in [lo, hi]; open_lo excludes lo itself.
double number(std::string_view table, std::string_view key, std::string_view value, double lo,
              double hi, bool open_lo, std::string_view expected) {
  double v = 0;
  if (!parse_double(value, v) || v < lo || v > hi || (open_lo && v == lo))
    invalid(table, key, value, expected);
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

}  // namespace

const std::vector<std::string_view>& route_option_names() { return names(); }

bool parse_route_option(std::string_view table, const std::string& key, std::string_view value,
                        RouteOptions& out) {
  int which = -1;
  for (int i = 0; i < kKeyCount; ++i)
    if (names()[i] == key) which = i;
  if (which < 0) return false;
  constexpr double kBig = 1e12;
  switch (which) {
    case kBandit: {
      const std::string v = lower(value);
      if (v == "thompson") out.bandit = BanditKind::kThompson;
      else if (v == "linucb") out.bandit = BanditKind::kLinUcb;
      else invalid(table, key, value, "'thompson' or 'linucb'");
      break;
    }
    case kCacheArm: {
      const std::string v = lower(value);
      if (v == "on" || v == "1" || v == "true") out.cache_arm = true;
      else if (v == "off" || v == "0" || v == "false") out.cache_arm = false;
      else invalid(table, key, value, "on or off");
      break;
    }
    case kHalfLife:
      out.load_half_life = number(table, key, value, 0, kBig, true, "a number of seconds > 0");
      break;
    case kThreshold:
      out.load_threshold = number(table, key, value, 0, kBig, true, "requests per second > 0");
      break;
    case kBeta:
      out.load_beta = number(table, key, value, 0, kBig, false, "a number >= 0");
      break;
    case kGamma:
      out.load_gamma = number(table, key, value, 0, kBig, true, "a number > 0");
      break;
    case kCostWeight:
      out.cost_weight = number(table, key, value, -kBig, kBig, false, "a finite number");
      break;
    case kFeedbackStd:
      out.feedback_std = number(table, key, value, 0, kBig, false, "a number >= 0");
      break;
    case kExploreRate:
      out.explore_rate = number(table, key, value, 0, 1, false, "a probability from 0 to 1");
      break;
    case kDecisionLimit: {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 1000000000)
        invalid(table, key, value, "an integer from 1 to 1000000000");
      out.decision_limit = n;
      break;
    }
    case kExploreMode: {
      const std::string v = lower(value);
      if (v == "shadow") out.shadow = true;
      else if (v == "serve") out.shadow = false;
      else invalid(table, key, value, "'shadow' (name the runner-up to run off the user's path) or 'serve' (serve it)");
      break;
    }
    case kPriorReward:
      out.prior_reward = number(table, key, value, 0, 1, false, "a reward from 0 to 1");
      break;
    case kWarmup: {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 0 || n > 1000000)
        invalid(table, key, value, "an integer from 0 to 1000000");
      out.warmup = static_cast<int>(n);
      break;
    }
    case kDecisionTtl:
      out.decision_ttl = number(table, key, value, 0, kBig, true, "a number of seconds > 0");
      break;
  }
  return true;
}

}  // namespace iccache
