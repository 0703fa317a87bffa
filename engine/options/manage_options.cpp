#include "options/manage_options.h"

#include <array>

namespace iccache {

namespace {

using options::number_in;
using Spec = options::OptionSpec<ManageOptions>;
constexpr const char* kShare = "a number greater than 0 and at most 1";

const std::array<Spec, 4> kSpecs = {{
    {"success_reward", [](auto t, auto v, ManageOptions& o) {
       o.success_reward = number_in(t, "success_reward", v, 0, 1, false, "a number from 0 to 1");
     }},
    {"half_life", [](auto t, auto v, ManageOptions& o) { o.half_life = options::duration(t, "half_life", v); }},
    {"ema_alpha", [](auto t, auto v, ManageOptions& o) { o.ema_alpha = number_in(t, "ema_alpha", v, 0, 1, true, kShare); }},
    {"low_water", [](auto t, auto v, ManageOptions& o) { o.low_water = number_in(t, "low_water", v, 0, 1, true, kShare); }},
}};

}  // namespace

std::span<const Spec> manage_option_specs() { return kSpecs; }

}  // namespace iccache
