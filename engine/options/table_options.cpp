#include "options/table_options.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/number_format.h"
#include "options/option_parse.h"
#include "vector/vector_parse.h"

namespace iccache {
namespace {

using options::invalid;
using options::lower;
using options::parse_whole;
using options::trim;
using options::unquote;

constexpr const char* kSizeExamples = "a positive size such as 1048576, 512KB, 256MB or 1.5GB";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

std::string format_models(std::span<const ModelArm> models) {
  std::string out;
  for (const ModelArm& m : models) out += (out.empty() ? "" : ",") + m.name + ":" + format_number(m.cost);
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

using options::duration;
using options::integer_in;
using options::number_in;
using Spec = options::OptionSpec<TableOptions>;
constexpr std::string_view kEmbedders[] = {"hash", "none"};
constexpr std::string_view kQuantizers[] = {"none", "sq8"};
constexpr std::string_view kTextIndexes[] = {"lexical", "vector"};
// In TrainingPolicy order.
constexpr std::string_view kTrainingPolicies[] = {"background", "on-use", "manual"};

// The table's own options (storage, index, privacy), in documentation order. The example
// manager, routing and selection list theirs in manage_options.cpp, route_options.cpp and
// select_options.cpp.
const std::array<Spec, 14> kTableSpecs = {{
    {"dim", [](auto t, auto v, TableOptions& o) { o.dim = static_cast<int>(integer_in(t, "dim", v, 1, kMaxDim)); }},
    {"embedder", [](auto t, auto v, TableOptions& o) {
       o.embedder = options::choice(t, "embedder", v, kEmbedders, "'hash' or 'none'") == 0 ? EmbedderKind::kHash
                                                                                           : EmbedderKind::kNone;
     }},
    {"models", [](auto t, auto v, TableOptions& o) { o.models = parse_models(t, v); }},
    {"budget", [](auto t, auto v, TableOptions& o) { o.budget = parse_size(t, "budget", v); }},
    {"tenant_budget", [](auto t, auto v, TableOptions& o) { o.tenant_budget = parse_size(t, "tenant_budget", v); }},
    {"nprobe", [](auto t, auto v, TableOptions& o) { o.nprobe = static_cast<int>(integer_in(t, "nprobe", v, 1, kMaxNprobe)); }},
    {"quantizer", [](auto t, auto v, TableOptions& o) {
       o.sq8 = options::choice(t, "quantizer", v, kQuantizers, "'none' or 'sq8'") == 1;
     }},
    {"text_index", [](auto t, auto v, TableOptions& o) {
       o.text_index = options::choice(t, "text_index", v, kTextIndexes, "'lexical' or 'vector'") == 0
                          ? TextIndex::kLexical
                          : TextIndex::kVector;
     }},
    {"ivf_min", [](auto t, auto v, TableOptions& o) { o.ivf_min = static_cast<int>(integer_in(t, "ivf_min", v, 1, 1 << 30)); }},
    {"training", [](auto t, auto v, TableOptions& o) {
       o.training = static_cast<TrainingPolicy>(
           options::choice(t, "training", v, kTrainingPolicies, "'background', 'on-use' or 'manual'"));
     }},
    {"change_log_keep", [](auto t, auto v, TableOptions& o) {
       o.change_log_keep = static_cast<int>(integer_in(t, "change_log_keep", v, 1, 1 << 30));
     }},
    {"change_log_age", [](auto t, auto v, TableOptions& o) { o.change_log_age = duration(t, "change_log_age", v); }},
    {"seed", [](auto t, auto v, TableOptions& o) {
       if (!parse_whole(v, o.seed)) invalid(t, "seed", v, "an integer from 0 to 18446744073709551615");
     }},
    {"pii", [](auto t, auto v, TableOptions& o) {
       auto mode = parse_pii_mode(v);
       if (!mode) invalid(t, "pii", v, "'off', 'redact' or 'reject'");
       o.pii = *mode;
     }},
}};

// Parses key=value into o when key names an option of any concept; false otherwise.
bool parse_option(std::string_view table, const std::string& key, std::string_view value, TableOptions& o) {
  if (const Spec* spec = options::find_spec<TableOptions>(kTableSpecs, key)) {
    spec->parse(table, value, o);
    return true;
  }
  return options::parse_with(manage_option_specs(), table, key, value, o.manage) ||
         parse_route_option(table, key, value, o.route) || parse_select_option(table, key, value, o.select);
}

}  // namespace

std::string_view training_policy_name(TrainingPolicy p) { return kTrainingPolicies[static_cast<int>(p)]; }

std::vector<std::string_view> table_option_names() {
  std::vector<std::string_view> names;
  for (const Spec& s : kTableSpecs)
    if (s.name != "pii") names.push_back(s.name);
  for (const auto& s : manage_option_specs()) names.push_back(s.name);
  names.push_back("pii");  // documented after the example manager's options
  for (const auto& s : route_option_specs()) names.push_back(s.name);
  for (const auto& s : select_option_specs()) names.push_back(s.name);
  return names;
}

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

    const std::vector<std::string_view> names = table_option_names();
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      std::string list;
      for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
      throw Error(std::string(table) + ": unknown option '" + key + "'; expected one of " + list);
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw Error(std::string(table) + ": option " + key +
                  " is given more than once; expected each option at most once");
    }
    seen.push_back(key);
    parse_option(table, key, value, options);
  }
  if (options.embedder == EmbedderKind::kNone) {
    if (std::find(seen.begin(), seen.end(), "text_index") != seen.end() &&
        options.text_index == TextIndex::kLexical)
      throw Error(std::string(table) +
                  ": option text_index='lexical' indexes request text, but embedder='none' "
                  "takes vectors only; expected text_index='vector' or embedder='hash'");
    options.text_index = TextIndex::kVector;
  }
  // A text MATCH of a lexical table never reads the IVF: unless told otherwise it trains
  // only once something searches the IVF (a MATCH with a vector, dedup=on).
  if (std::find(seen.begin(), seen.end(), "training") == seen.end())
    options.training = options.text_index == TextIndex::kLexical ? TrainingPolicy::kOnUse : TrainingPolicy::kBackground;
  if (options.route.cache_arm && options.model_index("cache") >= 0)
    throw Error(std::string(table) +
                ": option cache_arm=on adds an arm named 'cache', but models already has a model"
                " named cache; expected another name for that model");
  return options;
}

void option_stats(const TableOptions& o, StatRows& out) {
  out.push_back({"dim", int64_t{o.dim}});
  out.push_back({"embedder", std::string(o.embedder == EmbedderKind::kHash ? "hash" : "none")});
  out.push_back({"models", format_models(o.models)});
  out.push_back({"budget", o.budget ? StatValue(*o.budget) : StatValue()});
  out.push_back({"seed", static_cast<int64_t>(o.seed)});
}

}  // namespace iccache
