// The selection options of CREATE VIRTUAL TABLE ... USING iccache(...): how MATCH ranks
// (utility or plain similarity), how many stage-1 candidates the utility model scores, the
// utility threshold (pinned or tuned online) and the semantic-cache hit (docs/selection.md).
// Listed once in select_option_specs(); parse_table_options hands each of these keys to its
// spec.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options/option_parse.h"

namespace iccache {

enum class SelectionKind { kUtility, kSimilarity };

struct SelectOptions {
  SelectionKind selection = SelectionKind::kUtility;  // 'similarity': plain top-k (stage 1 only)
  int candidates = 50;                       // stage-1 results scored by the utility model
  std::optional<double> threshold;           // pinned utility threshold; absent = tuned online
  // Tuner grid, ascending, each in [0, 1]; the tuned threshold starts at the first value.
  std::vector<double> threshold_grid = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
  double threshold_explore = 0.05;           // share of requests served with a grid draw
  double prefill_penalty = 0.01;             // reward units charged per example shown
  std::optional<double> hit_similarity;      // semantic-cache hit: off when absent
  double hit_quality = 0.8;                  // ... and the example's quality at least this
  std::optional<double> min_similarity;      // relevance floor: less similar candidates never shown
  double diversity = 0;                      // MMR weight of redundancy (select/mmr.h); 0 = off
  bool dedup = false;                        // admission keeps one example per request (the better judged)
  // Utility labels (select/counterfactual.h): false = 'reward' (each shown example gets the
  // response's reward), true = 'counterfactual' (advantage over the router's baseline, probes).
  bool counterfactual = false;
  double counterfactual_rate = 0.1;          // share of cheaper-arm decisions that are probes
};

// The selection options, in documentation order.
std::span<const options::OptionSpec<SelectOptions>> select_option_specs();

// Parses option `key` (lower-cased) into out and returns true, or returns false when key is
// not a selection option. Throws iccache::Error naming the table and option for a bad value.
bool parse_select_option(std::string_view table, const std::string& key, std::string_view value,
                         SelectOptions& out);

}  // namespace iccache
