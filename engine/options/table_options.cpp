#include "options/table_options.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "route/route_options.h"
#include "select/select_options.h"
#include "vector/vector_parse.h"

namespace iccache {
namespace {

constexpr const char* kSizeExamples = "a positive size such as 1048576, 512KB, 256MB or 1.5GB";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

// SQLite hands module arguments over verbatim, so 'x' and "x" arrive with their quotes.
std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// "ex: option dim=abc is not valid[: detail]; expected ..."
[[noreturn]] void invalid(std::string_view table, std::string_view option, std::string_view value,
                          std::string_view expected, std::string_view detail = {}) {
  std::string msg = std::string(table) + ": option " + std::string(option) + "=" +
                    std::string(value) + " is not valid";
  if (!detail.empty()) msg += ": " + std::string(detail);
  throw Error(msg + "; expected " + std::string(expected));
}

// Parses all of `s` as a T, or returns false (trailing junk, empty, out of range).
template <class T>
bool parse_whole(std::string_view s, T& value) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}


int parse_dim(std::string_view table, std::string_view value) {
  int dim = 0;
  if (!parse_whole(value, dim) || dim < 1 || dim > kMaxDim) {
    invalid(table, "dim", value, "an integer from 1 to " + std::to_string(kMaxDim));
  }
  return dim;
}

EmbedderKind parse_embedder(std::string_view table, std::string_view value) {
  const std::string v = lower(value);
  if (v == "hash") return EmbedderKind::kHash;
  if (v == "none") return EmbedderKind::kNone;
  invalid(table, "embedder", value, "'hash' or 'none'");
}

// Names as serving stacks write them: Ollama's llama3.1:8b, Hugging Face's
// Qwen/Qwen2.5-7B-Instruct. A colon may appear in a name because the cost is what follows
// the LAST colon of an item (parse_models).
bool valid_model_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    c == '.' || c == '-' || c == '/' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Multiplier of a size unit (case-insensitive, 1024-based), or 0 when it is not a unit:
// "" or B, then K/M/G/T alone or followed by B or iB.
int64_t unit_multiplier(std::string_view unit) {
  const std::string u = lower(unit);
  if (u.empty() || u == "b") return 1;
  int shift = 0;
  switch (u[0]) {
    case 'k':
      shift = 10;
      break;
    case 'm':
      shift = 20;
      break;
    case 'g':
      shift = 30;
      break;
    case 't':
      shift = 40;
      break;
    default:
      return 0;
  }
  const std::string_view suffix = std::string_view(u).substr(1);
  return (suffix.empty() || suffix == "b" || suffix == "ib") ? int64_t{1} << shift : 0;
}

}  // namespace

int TableOptions::model_index(std::string_view name) const {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const std::string& TableOptions::default_model() const {
  size_t best = 0;
  for (size_t i = 1; i < models.size(); ++i) {
    if (models[i].cost > models[best].cost) best = i;  // strict: the first wins ties
  }
  return models[best].name;
}

std::string TableOptions::model_list() const {
  std::string out;
  for (const ModelArm& m : models) {
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

std::vector<ModelArm> parse_models(std::string_view table, std::string_view value) {
  constexpr const char* kExpected = "comma-separated name:cost pairs such as small:0.1,large:1";
  std::vector<ModelArm> models;
  size_t start = 0;
  for (;;) {
    const size_t comma = std::min(value.find(',', start), value.size());
    const std::string_view item = trim(value.substr(start, comma - start));
    const size_t colon = item.rfind(':');  // the cost follows the last colon: llama3.1:8b:0.1
    if (item.empty()) invalid(table, "models", value, kExpected, "it has an empty item");
    if (colon == std::string_view::npos) {
      invalid(table, "models", value, kExpected, "'" + std::string(item) + "' has no cost");
    }
    const std::string_view name = trim(item.substr(0, colon));
    const std::string_view cost_text = trim(item.substr(colon + 1));
    if (!valid_model_name(name)) {
      invalid(table, "models", value, "model names made of letters, digits, '_', '.', '-', '/' and ':'",
              "model name '" + std::string(name) + "' is not valid");
    }
    double cost = 0.0;
    if (!parse_whole(cost_text, cost) || !std::isfinite(cost) || cost < 0.0) {
      invalid(table, "models", value, "a cost that is a finite number >= 0",
              "model '" + std::string(name) + "' has cost '" + std::string(cost_text) + "'");
    }
    for (const ModelArm& m : models) {
      if (m.name == name) {
        invalid(table, "models", value, "distinct model names",
                "model '" + std::string(name) + "' is listed twice");
      }
    }
    models.push_back({std::string(name), cost});
    if (comma == value.size()) return models;
    start = comma + 1;
  }
}

int64_t parse_size(std::string_view table, std::string_view option, std::string_view value) {
  // <digits>[.<digits>] [whitespace] [unit]
  size_t i = 0;
  while (i < value.size() && is_digit(value[i])) ++i;
  const std::string_view whole = value.substr(0, i);
  std::string_view fraction;  // including the '.'
  if (i < value.size() && value[i] == '.') {
    const size_t dot = i++;
    while (i < value.size() && is_digit(value[i])) ++i;
    fraction = value.substr(dot, i - dot);
  }
  const int64_t multiplier = unit_multiplier(trim(value.substr(i)));
  if (whole.empty() || fraction.size() == 1 || multiplier == 0) {
    invalid(table, option, value, kSizeExamples);
  }

  // The whole part is exact integer arithmetic so large byte counts do not round; only the
  // fraction (< 1 unit) goes through double, rounded down to whole bytes.
  int64_t units = 0;
  if (!parse_whole(whole, units) || units > std::numeric_limits<int64_t>::max() / multiplier) {
    invalid(table, option, value, kSizeExamples, "it is too large");
  }
  int64_t bytes = units * multiplier;
  if (!fraction.empty()) {
    double frac = 0.0;
    parse_whole(fraction, frac);
    const auto extra = static_cast<int64_t>(std::floor(frac * static_cast<double>(multiplier)));
    if (bytes > std::numeric_limits<int64_t>::max() - extra) {
      invalid(table, option, value, kSizeExamples, "it is too large");
    }
    bytes += extra;
  }
  if (bytes <= 0) invalid(table, option, value, kSizeExamples, "it is less than one byte");
  return bytes;
}

namespace {

int parse_int_in(std::string_view table, std::string_view option, std::string_view value,
                 int lo, int hi) {
  int v = 0;
  if (!parse_whole(value, v) || v < lo || v > hi)
    invalid(table, option, value,
            "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

// A number in (lo, hi], or [lo, hi] when lo_inclusive; `expected` says so in words.
double parse_real_in(std::string_view table, std::string_view option, std::string_view value,
                     double lo, bool lo_inclusive, double hi, std::string_view expected) {
  double v = 0;
  if (!parse_whole(value, v) || !std::isfinite(v) || (lo_inclusive ? v < lo : v <= lo) || v > hi)
    invalid(table, option, value, expected);
  return v;
}

// A positive duration in seconds: "3600", "90s", "30m", "12h", "7d" (fractions allowed).
double parse_duration(std::string_view table, std::string_view option, std::string_view value) {
  constexpr const char* kExpected = "a positive duration such as 3600, 90s, 30m, 12h or 7d";
  std::string_view number = value;
  double unit = 1;
  if (!value.empty()) {
    switch (to_lower(value.back())) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0; break;
    }
    if (unit != 0) number = trim(value.substr(0, value.size() - 1)); else unit = 1;
  }
  double v = 0;
  if (!parse_whole(number, v) || !std::isfinite(v) || v <= 0 || !std::isfinite(v * unit))
    invalid(table, option, value, kExpected);
  return v * unit;
}

// One entry per option: its name and how its value is parsed into TableOptions. Adding an
// option is adding a line here (and a field in the header).
struct OptionSpec {
  std::string_view name;
  void (*parse)(std::string_view table, std::string_view value, TableOptions& o);
};

const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"dim", [](auto t, auto v, TableOptions& o) { o.dim = parse_dim(t, v); }},
      {"embedder", [](auto t, auto v, TableOptions& o) { o.embedder = parse_embedder(t, v); }},
      {"models", [](auto t, auto v, TableOptions& o) { o.models = parse_models(t, v); }},
      {"budget", [](auto t, auto v, TableOptions& o) { o.budget = parse_size(t, "budget", v); }},
      {"tenant_budget", [](auto t, auto v, TableOptions& o) { o.tenant_budget = parse_size(t, "tenant_budget", v); }},
      {"nprobe", [](auto t, auto v, TableOptions& o) { o.nprobe = parse_int_in(t, "nprobe", v, 1, 1 << 20); }},
      {"quantizer",
       [](auto t, auto v, TableOptions& o) {
         std::string q = lower(v);
         if (q != "none" && q != "sq8") invalid(t, "quantizer", v, "'none' or 'sq8'");
         o.sq8 = q == "sq8";
       }},
      {"ivf_min",
       [](auto t, auto v, TableOptions& o) { o.ivf_min = parse_int_in(t, "ivf_min", v, 1, 1 << 30); }},
      {"change_log_keep",
       [](auto t, auto v, TableOptions& o) { o.change_log_keep = parse_int_in(t, "change_log_keep", v, 1, 1 << 30); }},
      {"change_log_age", [](auto t, auto v, TableOptions& o) { o.change_log_age = parse_duration(t, "change_log_age", v); }},
      {"seed",
       [](auto t, auto v, TableOptions& o) {
         if (!parse_whole(v, o.seed)) invalid(t, "seed", v, "an integer from 0 to 18446744073709551615");
       }},
      {"success_reward",
       [](auto t, auto v, TableOptions& o) { o.success_reward = parse_real_in(t, "success_reward", v, 0, true, 1, "a number from 0 to 1"); }},
      {"half_life", [](auto t, auto v, TableOptions& o) { o.half_life = parse_duration(t, "half_life", v); }},
      {"ema_alpha",
       [](auto t, auto v, TableOptions& o) { o.ema_alpha = parse_real_in(t, "ema_alpha", v, 0, false, 1, "a number greater than 0 and at most 1"); }},
      {"low_water",
       [](auto t, auto v, TableOptions& o) { o.low_water = parse_real_in(t, "low_water", v, 0, false, 1, "a number greater than 0 and at most 1"); }},
      {"pii",
       [](auto t, auto v, TableOptions& o) {
         auto mode = parse_pii_mode(v);
         if (!mode) invalid(t, "pii", v, "'off', 'redact' or 'reject'");
         o.pii = *mode;
       }},
      // Routing (engine/route/route_options.h).
      {"bandit", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "bandit", v, o.route); }},
      {"cache_arm", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "cache_arm", v, o.route); }},
      {"load_half_life", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "load_half_life", v, o.route); }},
      {"load_threshold", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "load_threshold", v, o.route); }},
      {"load_beta", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "load_beta", v, o.route); }},
      {"load_gamma", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "load_gamma", v, o.route); }},
      {"cost_weight", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "cost_weight", v, o.route); }},
      {"feedback_std", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "feedback_std", v, o.route); }},
      {"explore_rate", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "explore_rate", v, o.route); }},
      {"decision_limit", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "decision_limit", v, o.route); }},
      {"decision_ttl", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "decision_ttl", v, o.route); }},
      {"explore_mode", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "explore_mode", v, o.route); }},
      {"prior_reward", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "prior_reward", v, o.route); }},
      {"warmup", [](auto t, auto v, TableOptions& o) { parse_route_option(t, "warmup", v, o.route); }},
      // Selection (engine/select/select_options.h).
      {"selection", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "selection", v, o.select); }},
      {"candidates", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "candidates", v, o.select); }},
      {"threshold", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "threshold", v, o.select); }},
      {"threshold_grid", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "threshold_grid", v, o.select); }},
      {"threshold_explore", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "threshold_explore", v, o.select); }},
      {"prefill_penalty", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "prefill_penalty", v, o.select); }},
      {"hit_similarity", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "hit_similarity", v, o.select); }},
      {"hit_quality", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "hit_quality", v, o.select); }},
      {"min_similarity", [](auto t, auto v, TableOptions& o) { parse_select_option(t, "min_similarity", v, o.select); }},
  };
  return specs;
}

// The option named `key` (already lower-cased); throws listing the known ones otherwise.
const OptionSpec& find_option(std::string_view table, const std::string& key) {
  for (const OptionSpec& spec : option_specs())
    if (spec.name == key) return spec;
  std::string names;
  for (const OptionSpec& spec : option_specs()) names += (names.empty() ? "" : ", ") + std::string(spec.name);
  throw Error(std::string(table) + ": unknown option '" + key + "'; expected one of " + names);
}

}  // namespace

TableOptions parse_table_options(std::string_view table, const std::vector<std::string>& args) {
  TableOptions options;
  std::vector<std::string> seen;
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      throw Error(std::string(table) + ": argument '" + std::string(trim(arg)) +
                  "' has no value; expected key=value");
    }
    const std::string key = lower(trim(std::string_view(arg).substr(0, eq)));
    const std::string_view value = trim(unquote(trim(std::string_view(arg).substr(eq + 1))));

    const OptionSpec& spec = find_option(table, key);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw Error(std::string(table) + ": option " + key +
                  " is given more than once; expected each option at most once");
    }
    seen.push_back(key);
    spec.parse(table, value, options);
  }
  if (options.route.cache_arm && options.model_index("cache") >= 0)
    throw Error(std::string(table) +
                ": option cache_arm=on adds an arm named 'cache', but models already has a model"
                " named cache; expected another name for that model");
  return options;
}

}  // namespace iccache
