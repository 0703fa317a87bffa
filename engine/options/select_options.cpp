#include "options/select_options.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace iccache {

namespace {

using options::number_in;
using Spec = options::OptionSpec<SelectOptions>;
constexpr std::string_view kSelections[] = {"utility", "similarity"};
constexpr std::string_view kOnOff[] = {"on", "off"};
constexpr std::string_view kLabels[] = {"reward", "counterfactual"};

// "0,0.1,0.3": 1 to 32 distinct ascending numbers in [0, 1].
std::vector<double> grid(std::string_view table, std::string_view key, std::string_view value) {
  constexpr const char* kExpected =
      "1 to 32 comma-separated ascending numbers from 0 to 1, such as 0,0.1,0.2,0.4";
  std::vector<double> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = std::min(value.find(',', start), value.size());
    double v = 0;
    if (!options::parse_whole(options::trim(value.substr(start, comma - start)), v) || !std::isfinite(v) ||
        v < 0 || v > 1 || (!out.empty() && v <= out.back()) || out.size() == 32)
      options::invalid(table, key, value, kExpected);
    out.push_back(v);
    if (comma == value.size()) return out;
    start = comma + 1;
  }
}

const std::array<Spec, 13> kSpecs = {{
    {"selection", [](auto t, auto v, SelectOptions& o) {
       o.selection = options::choice(t, "selection", v, kSelections,
                                     "'utility' (two-stage) or 'similarity' (plain top-k)") == 0
                         ? SelectionKind::kUtility : SelectionKind::kSimilarity;
     }},
    {"candidates", [](auto t, auto v, SelectOptions& o) {
       o.candidates = static_cast<int>(options::integer_in(t, "candidates", v, 1, 4096));
     }},
    {"threshold", [](auto t, auto v, SelectOptions& o) {
       o.threshold = number_in(t, "threshold", v, 0, 1, false, "a utility from 0 to 1");
     }},
    {"threshold_grid", [](auto t, auto v, SelectOptions& o) { o.threshold_grid = grid(t, "threshold_grid", v); }},
    {"threshold_explore", [](auto t, auto v, SelectOptions& o) {
       o.threshold_explore = number_in(t, "threshold_explore", v, 0, 1, false, "a share from 0 to 1");
     }},
    {"prefill_penalty", [](auto t, auto v, SelectOptions& o) {
       o.prefill_penalty = number_in(t, "prefill_penalty", v, 0, 1, false, "a number of reward units from 0 to 1");
     }},
    {"hit_similarity", [](auto t, auto v, SelectOptions& o) {
       o.hit_similarity = number_in(t, "hit_similarity", v, 0, 1, true,
                                    "a cosine similarity greater than 0 and at most 1");
     }},
    {"hit_quality", [](auto t, auto v, SelectOptions& o) {
       o.hit_quality = number_in(t, "hit_quality", v, 0, 1, false, "a quality from 0 to 1");
     }},
    {"min_similarity", [](auto t, auto v, SelectOptions& o) {
       o.min_similarity = number_in(t, "min_similarity", v, -1, 1, false, "a cosine similarity from -1 to 1");
     }},
    {"diversity", [](auto t, auto v, SelectOptions& o) {
       o.diversity = number_in(t, "diversity", v, 0, 1, false,
                               "a weight from 0 (rank by relevance only) to 1 (only avoid redundancy)");
     }},
    {"dedup", [](auto t, auto v, SelectOptions& o) {
       o.dedup = options::choice(t, "dedup", v, kOnOff,
                                 "'on' (one example per request, the better judged kept) or 'off'") == 0;
     }},
    {"utility_labels", [](auto t, auto v, SelectOptions& o) {
       o.counterfactual = options::choice(t, "utility_labels", v, kLabels,
                                          "'reward' (each shown example gets the reward) or 'counterfactual' "
                                          "(the advantage over the router's baseline, with probes)") == 1;
     }},
    {"counterfactual_rate", [](auto t, auto v, SelectOptions& o) {
       o.counterfactual_rate = number_in(t, "counterfactual_rate", v, 0, 1, false, "a share from 0 to 1");
     }},
}};

}  // namespace

std::span<const Spec> select_option_specs() { return kSpecs; }

bool parse_select_option(std::string_view table, const std::string& key, std::string_view value, SelectOptions& out) {
  return options::parse_with(select_option_specs(), table, key, value, out);
}

}  // namespace iccache
