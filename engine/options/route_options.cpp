#include "options/route_options.h"

#include <array>

namespace iccache {

namespace {

using options::duration;
using options::number_in;
using Spec = options::OptionSpec<RouteOptions>;
constexpr double kBig = 1e12;
constexpr std::string_view kBandits[] = {"thompson", "linucb"};
constexpr std::string_view kExploreModes[] = {"shadow", "serve"};

const std::array<Spec, 14> kSpecs = {{
    {"bandit", [](auto t, auto v, RouteOptions& o) {
       o.bandit = options::choice(t, "bandit", v, kBandits, "'thompson' or 'linucb'") == 0
                      ? BanditKind::kThompson : BanditKind::kLinUcb;
     }},
    {"cache_arm", [](auto t, auto v, RouteOptions& o) { o.cache_arm = options::on_off(t, "cache_arm", v); }},
    {"load_half_life", [](auto t, auto v, RouteOptions& o) { o.load_half_life = duration(t, "load_half_life", v); }},
    {"load_threshold", [](auto t, auto v, RouteOptions& o) {
       o.load_threshold = number_in(t, "load_threshold", v, 0, kBig, true, "requests per second > 0");
     }},
    {"load_beta", [](auto t, auto v, RouteOptions& o) { o.load_beta = number_in(t, "load_beta", v, 0, kBig, false, "a number >= 0"); }},
    {"load_gamma", [](auto t, auto v, RouteOptions& o) { o.load_gamma = number_in(t, "load_gamma", v, 0, kBig, true, "a number > 0"); }},
    {"cost_weight", [](auto t, auto v, RouteOptions& o) {
       o.cost_weight = number_in(t, "cost_weight", v, -kBig, kBig, false, "a finite number");
     }},
    {"feedback_std", [](auto t, auto v, RouteOptions& o) {
       o.feedback_std = number_in(t, "feedback_std", v, 0, kBig, false, "a number >= 0");
     }},
    {"explore_rate", [](auto t, auto v, RouteOptions& o) {
       o.explore_rate = number_in(t, "explore_rate", v, 0, 1, false, "a probability from 0 to 1");
     }},
    {"decision_limit", [](auto t, auto v, RouteOptions& o) {
       o.decision_limit = options::integer_in(t, "decision_limit", v, 1, 1000000000);
     }},
    {"decision_ttl", [](auto t, auto v, RouteOptions& o) { o.decision_ttl = duration(t, "decision_ttl", v); }},
    {"explore_mode", [](auto t, auto v, RouteOptions& o) {
       o.shadow = options::choice(t, "explore_mode", v, kExploreModes,
                                  "'shadow' (name the runner-up to run off the user's path) or 'serve' (serve it)") == 0;
     }},
    {"prior_reward", [](auto t, auto v, RouteOptions& o) {
       o.prior_reward = number_in(t, "prior_reward", v, 0, 1, false, "a reward from 0 to 1");
     }},
    {"warmup", [](auto t, auto v, RouteOptions& o) {
       o.warmup = static_cast<int>(options::integer_in(t, "warmup", v, 0, 1000000));
     }},
}};

}  // namespace

std::span<const Spec> route_option_specs() { return kSpecs; }

bool parse_route_option(std::string_view table, const std::string& key, std::string_view value, RouteOptions& out) {
  return options::parse_with(route_option_specs(), table, key, value, out);
}

}  // namespace iccache
