// The example manager's options of CREATE VIRTUAL TABLE ... USING iccache(...)
// (docs/example-manager.md): how feedback updates an example's statistics, how fast they
// decay, and how far automatic eviction goes. Listed once in manage_option_specs().
#pragma once
#include <span>

#include "options/option_parse.h"

namespace iccache {

struct ManageOptions {
  double success_reward = 0.5;  // reward at or above which a cheaper arm's answer is an offload
  double half_life = 604800;    // seconds: decay of the offload value and recent uses (7d)
  double ema_alpha = 0.2;       // weight of each new feedback in the gain and quality EMAs
  double low_water = 0.9;       // automatic eviction (budget) goes down to this share of it
};

// The example-manager options, in documentation order.
std::span<const options::OptionSpec<ManageOptions>> manage_option_specs();

}  // namespace iccache
