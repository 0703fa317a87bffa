// Routing options: defaults, accepted values, and a full-sentence error for each bad one.
#include <gtest/gtest.h>

#include "common/error.h"
#include "options/table_options.h"
#include "options/route_options.h"

namespace iccache {
namespace {

RouteOptions parse(const std::string& key, const std::string& value) {
  RouteOptions o;
  EXPECT_TRUE(parse_route_option("ex", key, value, o));
  return o;
}

std::string error_of(const std::string& key, const std::string& value) {
  RouteOptions o;
  try {
    parse_route_option("ex", key, value, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(RouteOptions, AcceptedValues) {
  EXPECT_EQ(parse("bandit", "LinUCB").bandit, BanditKind::kLinUcb);
  EXPECT_EQ(parse("bandit", "thompson").bandit, BanditKind::kThompson);
  EXPECT_TRUE(parse("cache_arm", "on").cache_arm);
  EXPECT_FALSE(parse("cache_arm", "0").cache_arm);
  EXPECT_EQ(parse("load_half_life", "2.5").load_half_life, 2.5);
  EXPECT_EQ(parse("load_threshold", "40").load_threshold, 40);
  EXPECT_EQ(parse("load_beta", "0").load_beta, 0);
  EXPECT_EQ(parse("load_gamma", "3").load_gamma, 3);
  EXPECT_EQ(parse("cost_weight", "-0.25").cost_weight, -0.25);
  EXPECT_EQ(parse("feedback_std", "0.05").feedback_std, 0.05);
  EXPECT_EQ(parse("explore_rate", "1").explore_rate, 1);
  EXPECT_EQ(parse("decision_limit", "500").decision_limit, 500);
  EXPECT_EQ(parse("decision_ttl", "60").decision_ttl, 60);
  // Durations take the same units as every other duration option (option_parse.h).
  EXPECT_EQ(parse("decision_ttl", "7d").decision_ttl, 7 * 86400);
  EXPECT_EQ(parse("decision_ttl", "12H").decision_ttl, 12 * 3600);
  EXPECT_EQ(parse("load_half_life", "30m").load_half_life, 1800);
  EXPECT_EQ(parse("load_half_life", "90s").load_half_life, 90);
  RouteOptions o;
  EXPECT_FALSE(parse_route_option("ex", "dim", "3", o));
}

TEST(RouteOptions, BadValuesAreFullSentences) {
  // Every message is "ex: option <name>=<value> is not valid; expected <what>".
  const struct {
    const char *name, *value, *expected;
  } cases[] = {
      {"bandit", "greedy", "'thompson' or 'linucb'"},
      {"cache_arm", "maybe", "on or off"},
      {"load_half_life", "0", "a positive duration such as 3600, 90s, 30m, 12h or 7d"},
      {"load_threshold", "-1", "requests per second > 0"},
      {"load_beta", "nan", "a number >= 0"},
      {"load_gamma", "0", "a number > 0"},
      {"cost_weight", "inf", "a finite number"},
      {"feedback_std", "x", "a number >= 0"},
      {"explore_rate", "1.5", "a probability from 0 to 1"},
      {"decision_limit", "0", "an integer from 1 to 1000000000"},
      {"decision_ttl", "-5", "a positive duration such as 3600, 90s, 30m, 12h or 7d"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(error_of(c.name, c.value),
              std::string("ex: option ") + c.name + "=" + c.value + " is not valid; expected " + c.expected);
}

}  // namespace
}  // namespace iccache

namespace iccache {
namespace {

TEST(RouteOptions, ThroughParseTableOptions) {
  TableOptions o = parse_table_options("ex", {"bandit=linucb", "load_threshold=5", "seed=9",
                                              "cache_arm=on"});
  EXPECT_EQ(o.route.bandit, BanditKind::kLinUcb);
  EXPECT_EQ(o.route.load_threshold, 5);
  EXPECT_TRUE(o.route.cache_arm);
  EXPECT_EQ(o.seed, 9u);
  EXPECT_THROW(parse_table_options("ex", {"load_beta=1", "load_beta=2"}), Error);
  try {
    parse_table_options("ex", {"cache_arm=on", "models='small:0.1,cache:1'"});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "ex: option cache_arm=on adds an arm named 'cache', but models already has a model"
                 " named cache; expected another name for that model");
  }
}

}  // namespace
}  // namespace iccache
