// Counterfactual utility labels (utility_labels='counterfactual', issue 15 item 7).
//
// With reward labels every example shown gets the whole response's reward, so the utility
// model learns which requests go well rather than which examples help. Here each sample
// carries a baseline, the router's expected reward of the served arm for the decision's
// context (full selection), and labels are centred on it: advantage = reward - baseline.
// A share `counterfactual_rate` of the decisions served by a cheaper arm are probes that
// show only part of the selection (none, all but one, or a random half); then the examples
// left out get the opposite label: a probe whose reward drops below the baseline says the
// left-out examples helped.
//   shown example:    label = clamp(0.5 + advantage, 0, 1)
//   left-out example: label = clamp(0.5 - advantage, 0, 1)
// 0.5 is "no effect". The sample's features blob gets a trailer: one float64 per example
// (1 shown, 0 left out), then the baseline; samples without it keep reward labels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options/table_options.h"

namespace iccache::select {

struct Probe {
  bool probe = false;         // false: every example is shown
  std::vector<uint8_t> kept;  // per example: 1 shown, 0 left out
};

// Whether decision `decision` of a table seeded `seed` is a probe over n examples, and which
// it keeps: with probability rate; then none, all but one (drawn) or each with probability
// 1/2, each variant with probability 1/3. Deterministic in (seed, decision).
Probe choose_probe(uint64_t seed, int64_t decision, size_t n, double rate);

// The probe of decision `decision`, served by `arm`, over its n examples when the table
// labels counterfactually and `arm` teaches selection (learning.h): the sample then carries
// the trailer; nullopt otherwise (reward labels, no examples, or an arm that teaches nothing).
std::optional<Probe> probe_for(const TableOptions& o, std::string_view arm, int64_t decision, size_t n);

double counterfactual_label(double reward, double baseline, bool kept);

struct Trailer {
  std::vector<uint8_t> kept;
  double baseline = 0;
};
std::string encode_trailer(const std::vector<uint8_t>& kept, double baseline);
// The trailer after `shown` examples' features, from the bytes that follow them; nullopt
// when there are none (a reward-labelled sample) or they do not have the trailer's size.
std::optional<Trailer> decode_trailer(std::string_view bytes, size_t shown);

}  // namespace iccache::select
