#include "options/table_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/expect_contains.h"
#include "common/error.h"

namespace iccache {
namespace {

TableOptions parse(std::vector<std::string> args) { return parse_table_options("ex", args); }

// The parsed model list as (name, cost) pairs, compared exactly in one check.
using Models = std::vector<std::pair<std::string, double>>;
Models models_of(const TableOptions& o) {
  Models out;
  for (const auto& m : o.models) out.emplace_back(m.name, m.cost);
  return out;
}

// Message of the iccache::Error thrown by parsing `args`, or "" when nothing is thrown.
std::string parse_error(std::vector<std::string> args) {
  try {
    parse(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string size_error(std::string_view value) {
  try {
    parse_size("ex", "budget", value);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TableOptions, Defaults) {
  const TableOptions o = parse({});
  EXPECT_EQ(o.dim, 256);
  EXPECT_EQ(o.embedder, EmbedderKind::kHash);
  EXPECT_EQ(models_of(o), (Models{{"small", 0.1}, {"large", 1.0}}));
  EXPECT_FALSE(o.budget.has_value());
  EXPECT_EQ(o.default_model(), "large");
  EXPECT_EQ(o.model_list(), "small, large");
}

TEST(TableOptions, ModelsTextRoundTrip) {
  const std::vector<ModelArm> models = parse_models("ex", " small:0.25 , large:1,huge:2.5e6");
  EXPECT_EQ(format_models(models), "small:0.25,large:1,huge:2.5e+06");
  const std::vector<ModelArm> back = parse_models("ex", format_models(models));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].name, "huge");
  EXPECT_EQ(back[2].cost, 2.5e6);
  EXPECT_EQ(format_models({}), "");
}

TEST(TableOptions, ParsesEveryOption) {
  const TableOptions o = parse({"dim=384", "embedder=none", "models=a:1,b:2.5", "budget=64MB"});
  EXPECT_EQ(o.dim, 384);
  EXPECT_EQ(o.embedder, EmbedderKind::kNone);
  EXPECT_EQ(models_of(o), (Models{{"a", 1.0}, {"b", 2.5}}));
  EXPECT_EQ(o.budget, int64_t{64} << 20);
}

TEST(TableOptions, AcceptsCaseQuotesAndWhitespace) {
  const TableOptions o = parse({" DIM = ' 128 ' ", "Embedder=\"HASH\"",
                                "MODELS = ' gpt-4o-mini : 0.15 , "
                                "org/big.model_v2:3 '",
                                "budget=\"1 GiB\""});
  EXPECT_EQ(o.dim, 128);
  EXPECT_EQ(o.embedder, EmbedderKind::kHash);
  EXPECT_EQ(models_of(o), (Models{{"gpt-4o-mini", 0.15}, {"org/big.model_v2", 3.0}}));
  EXPECT_EQ(o.budget, int64_t{1} << 30);
}

TEST(TableOptions, DimBounds) {
  EXPECT_EQ(parse({"dim=1"}).dim, 1);
  EXPECT_EQ(parse({"dim=4096"}).dim, 4096);
}

TEST(TableOptions, BadDimThrows) {
  for (const char* value : {"abc", "0", "4097", "-5", "12x", "1.5", "", "99999999999999999999"}) {
    const std::string msg = parse_error({std::string("dim=") + value});
    EXPECT_CONTAINS(msg, "ex: option dim=" + std::string(value) +
                             " is not valid; expected an integer from 1 to 4096");
  }
}

TEST(TableOptions, BadEmbedderThrows) {
  EXPECT_CONTAINS(parse_error({"embedder=bert"}),
                  "ex: option embedder=bert is not valid; expected 'hash' or 'none'");
}

TEST(TableOptions, UnknownOptionThrows) {
  EXPECT_CONTAINS(parse_error({"dimm=3"}),
                  "ex: unknown option 'dimm'; expected one of dim, embedder, models, budget");
  EXPECT_CONTAINS(parse_error({"=3"}), "ex: unknown option ''");
}

TEST(TableOptions, DuplicateOptionThrows) {
  EXPECT_CONTAINS(parse_error({"dim=3", "DIM=4"}),
                  "ex: option dim is given more than once; expected each option at most once");
}

TEST(TableOptions, ArgumentWithoutEqualsThrows) {
  EXPECT_CONTAINS(parse_error({"dim"}), "ex: argument 'dim' has no value; expected key=value");
}

TEST(TableOptions, ModelHelpers) {
  const TableOptions o = parse({"models=cheap:0.5,pricey:2,also_pricey:2,free:0"});
  EXPECT_EQ(o.model_index("cheap"), 0);
  EXPECT_EQ(o.model_index("free"), 3);
  EXPECT_EQ(o.model_index("missing"), -1);
  EXPECT_EQ(o.model_index("CHEAP"), -1);   // model names are case-sensitive
  EXPECT_EQ(o.default_model(), "pricey");  // the first of the most expensive
  EXPECT_EQ(o.model_list(), "cheap, pricey, also_pricey, free");
  EXPECT_EQ(parse({"models=only:0"}).default_model(), "only");
}

TEST(TableOptions, BadModelsThrow) {
  const auto expect_models_error = [](const std::string& value, const std::string& detail) {
    const std::string msg = parse_error({"models=" + value});
    EXPECT_CONTAINS(msg, "ex: option models=" + value + " is not valid: " + detail);
  };
  expect_models_error("", "it has an empty item");
  expect_models_error("a:1,", "it has an empty item");
  expect_models_error("a:1,,b:2", "it has an empty item");
  expect_models_error("a", "'a' has no cost");
  expect_models_error(":1", "model name '' is not valid");
  expect_models_error("a b:1", "model name 'a b' is not valid");
  expect_models_error("a:b", "model 'a' has cost 'b'");
  expect_models_error("llama3.1:8b", "model 'llama3.1' has cost '8b'");  // a name needs its cost
  expect_models_error("a:", "model 'a' has cost ''");
  expect_models_error("a:x",
                      "model 'a' has cost 'x'; expected a cost that is a finite number >= 0");
  expect_models_error("a:-1", "model 'a' has cost '-1'");
  expect_models_error("a:inf", "model 'a' has cost 'inf'");
  expect_models_error("a:nan", "model 'a' has cost 'nan'");
  expect_models_error("a:1,a:2", "model 'a' is listed twice; expected distinct model names");
}

TEST(TableOptions, ModelNamesAsServingStacksWriteThem) {
  // The cost follows the last colon, so names keep theirs (Ollama tags, Hugging Face ids).
  const TableOptions o = parse({"models=llama3.1:8b:0.1, Qwen/Qwen2.5-7B-Instruct:0.4,llama3.1:70b-instruct-q4_0:1"});
  ASSERT_EQ(o.models.size(), 3u);
  EXPECT_EQ(o.models[0].name, "llama3.1:8b");
  EXPECT_EQ(o.models[0].cost, 0.1);
  EXPECT_EQ(o.models[1].name, "Qwen/Qwen2.5-7B-Instruct");
  EXPECT_EQ(o.models[1].cost, 0.4);
  EXPECT_EQ(o.models[2].name, "llama3.1:70b-instruct-q4_0");
  EXPECT_EQ(o.models[2].cost, 1.0);
  EXPECT_EQ(o.default_model(), "llama3.1:70b-instruct-q4_0");
  EXPECT_EQ(parse({"models=a::1"}).models[0].name, "a:");
}

TEST(TableOptions, ParseSizeAcceptsUnits) {
  EXPECT_EQ(parse_size("ex", "budget", "1048576"), 1048576);
  EXPECT_EQ(parse_size("ex", "budget", "100B"), 100);
  EXPECT_EQ(parse_size("ex", "budget", "512KB"), 512 * 1024);
  EXPECT_EQ(parse_size("ex", "budget", "512kb"), 512 * 1024);
  EXPECT_EQ(parse_size("ex", "budget", "512K"), 512 * 1024);
  EXPECT_EQ(parse_size("ex", "budget", "512KiB"), 512 * 1024);
  EXPECT_EQ(parse_size("ex", "budget", "256MB"), int64_t{256} << 20);
  EXPECT_EQ(parse_size("ex", "budget", "256 mib"), int64_t{256} << 20);
  EXPECT_EQ(parse_size("ex", "budget", "1.5GB"), int64_t{3} << 29);
  EXPECT_EQ(parse_size("ex", "budget", "1.5g"), int64_t{3} << 29);
  EXPECT_EQ(parse_size("ex", "budget", "2TB"), int64_t{2} << 40);
  EXPECT_EQ(parse_size("ex", "budget", "2 TiB"), int64_t{2} << 40);
  EXPECT_EQ(parse_size("ex", "budget", "0.5KB"), 512);
  EXPECT_EQ(parse_size("ex", "budget", "0.1KB"), 102);  // fractions of a byte round down
  EXPECT_EQ(parse_size("ex", "budget", "9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_size("ex", "budget", "8388607TB"), int64_t{8388607} << 40);
}

TEST(TableOptions, ParseSizeRejectsJunk) {
  for (const char* value : {"", "0", "0KB", "0.0001", "-1", "-1MB", "abc", "MB", "1.5.5MB", "1.",
                            ".5GB", "1 2MB", "12XB", "12BB", "12BiB", "1e3", "+5", "5MB!"}) {
    EXPECT_CONTAINS(size_error(value), "ex: option budget=" + std::string(value) + " is not valid");
    EXPECT_CONTAINS(size_error(value), "expected a positive size such as 1048576, 512KB");
  }
  EXPECT_CONTAINS(size_error("0.0001"), "it is less than one byte");
}

TEST(TableOptions, ParseSizeRejectsOverflow) {
  for (const char* value : {"9223372036854775808", "8388608TB", "99999999999999999999999GB",
                            "8388607.99999999999999999999TB"}) {  // fraction rounds to 1.0
    EXPECT_CONTAINS(size_error(value), "is not valid: it is too large");
  }
}

TEST(TableOptions, BudgetGoesThroughParseSize) {
  EXPECT_EQ(parse({"budget='10MB'"}).budget, int64_t{10} << 20);
  EXPECT_CONTAINS(parse_error({"budget=lots"}), "ex: option budget=lots is not valid");
}

TEST(TableOptions, OptionStatsRows) {
  const TableOptions o = parse_table_options("ex", {"dim=8", "embedder=none", "models=a:0.5,b:2", "seed=3"});
  StatRows rows;
  option_stats(o, rows);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].key, "dim");
  EXPECT_EQ(std::get<int64_t>(rows[0].value), 8);
  EXPECT_EQ(std::get<std::string>(rows[1].value), "none");
  EXPECT_EQ(std::get<std::string>(rows[2].value), "a:0.5,b:2");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[3].value));  // no budget
  EXPECT_EQ(rows[4].key, "seed");
  EXPECT_EQ(std::get<int64_t>(rows[4].value), 3);
}

}  // namespace
}  // namespace iccache
