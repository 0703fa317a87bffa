// The option-parsing kit (engine/options/option_parse.h): every duration option accepts the
// same forms and refuses the same ones with the same sentence; the option names are listed
// once, each name once.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "options_test_util.h"
#include "common/error.h"
#include "options/option_parse.h"
#include "options/table_options.h"

namespace iccache {
namespace {

// Reads the duration option `name` back out of the parsed options.
double duration_of(const std::string& name, const std::string& value) {
  const TableOptions o = parse_table_options("ex", {name + "=" + value});
  if (name == "half_life") return o.manage.half_life;
  if (name == "change_log_age") return o.change_log_age;
  if (name == "decision_ttl") return o.route.decision_ttl;
  if (name == "load_half_life") return o.route.load_half_life;
  ADD_FAILURE() << "not a duration option: " << name;
  return 0;
}

const char* const kDurationOptions[] = {"half_life", "change_log_age", "decision_ttl", "load_half_life"};

TEST(OptionsKit, EveryDurationOptionTakesTheSameUnits) {
  for (const std::string name : kDurationOptions) {
    SCOPED_TRACE(name);
    EXPECT_EQ(duration_of(name, "3600"), 3600);
    EXPECT_EQ(duration_of(name, "90s"), 90);
    EXPECT_EQ(duration_of(name, "30m"), 1800);
    EXPECT_EQ(duration_of(name, "1.5M"), 90);
    EXPECT_EQ(duration_of(name, "12h"), 43200);
    EXPECT_EQ(duration_of(name, "'7d'"), 604800);
    EXPECT_EQ(duration_of(name, "0.5 d"), 43200);
    for (const std::string bad : {"0", "-5h", "abc", "h", "10w", "1e999", "7 days", ""})
      EXPECT_EQ(option_error(name + "=" + bad),
                "ex: option " + name + "=" + bad +
                    " is not valid; expected a positive duration such as 3600, 90s, 30m, 12h or 7d");
  }
}

TEST(OptionsKit, OneListOfNamesEachNameOnce) {
  const std::vector<std::string_view> names = table_option_names();
  EXPECT_EQ(names.size(), std::set<std::string_view>(names.begin(), names.end()).size());
  EXPECT_EQ(names.size(), 18u + route_option_specs().size() + select_option_specs().size());
  EXPECT_EQ(names.front(), "dim");
  EXPECT_EQ(names.back(), "counterfactual_rate");
  // Every listed name parses (with some valid value) through parse_table_options, and the
  // unknown-option message lists exactly these names in this order.
  std::string list;
  for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  EXPECT_EQ(option_error("dimension=3"), "ex: unknown option 'dimension'; expected one of " + list);
  for (std::string_view n : names) {
    SCOPED_TRACE(std::string(n));
    EXPECT_EQ(option_error(std::string(n) + "=").find("unknown option"), std::string::npos);
  }
}

TEST(OptionsKit, TrainingPolicy) {
  auto policy = [](std::vector<std::string> args) {
    return std::string(training_policy_name(parse_table_options("ex", args).training));
  };
  // Absent: 'on-use' where a text MATCH reads the lexical index, else 'background'.
  EXPECT_EQ(policy({}), "on-use");
  EXPECT_EQ(policy({"text_index='vector'"}), "background");
  EXPECT_EQ(policy({"embedder='none'"}), "background");
  EXPECT_EQ(policy({"training='manual'"}), "manual");
  EXPECT_EQ(policy({"training=Background"}), "background");
  EXPECT_EQ(policy({"text_index=vector", "training='on-use'"}), "on-use");
  for (const std::string bad : {"inline", "''", "auto", "on use"})
    EXPECT_EQ(error_of({"training=" + bad}),
              "ex: option training=" + std::string(options::unquote(bad)) +
                  " is not valid; expected 'background', 'on-use' or 'manual'");
}

TEST(OptionsKit, ValueParsers) {
  EXPECT_EQ(options::integer_in("ex", "n", "42", 1, 100), 42);
  try {
    options::integer_in("ex", "n", "101", 1, 100);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ex: option n=101 is not valid; expected an integer from 1 to 100");
  }
  EXPECT_THROW(options::integer_in("ex", "n", "4x", 1, 100), Error);
  EXPECT_THROW(options::integer_in("ex", "n", "", 1, 100), Error);
  EXPECT_EQ(options::number_in("ex", "x", " 0.25 ", 0, 1, false, "a share"), 0.25);
  EXPECT_THROW(options::number_in("ex", "x", "0", 0, 1, true, "a share"), Error);
  EXPECT_THROW(options::number_in("ex", "x", "nan", 0, 1, false, "a share"), Error);
  EXPECT_TRUE(options::on_off("ex", "f", "TRUE"));
  EXPECT_FALSE(options::on_off("ex", "f", "off"));
  constexpr std::string_view kChoices[] = {"a", "b"};
  EXPECT_EQ(options::choice("ex", "c", "B", kChoices, "'a' or 'b'"), 1);
  try {
    options::choice("ex", "c", "z", kChoices, "'a' or 'b'");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ex: option c=z is not valid; expected 'a' or 'b'");
  }
  double s = 0;
  EXPECT_TRUE(options::parse_duration("2h", s));
  EXPECT_EQ(s, 7200);
  EXPECT_FALSE(options::parse_duration("2y", s));
  EXPECT_EQ(options::unquote("'x'"), "x");
  EXPECT_EQ(options::unquote("\"x'"), "\"x'");
  EXPECT_EQ(options::trim(" \tx\n"), "x");
}

}  // namespace
}  // namespace iccache
