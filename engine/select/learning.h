// Which served arms teach selection. Only decisions served by an arm that used the
// examples teach anything: the `cache` arm (a verbatim answer) and the most expensive model
// (in the IC-Cache setup it runs without examples) do not, unless every model costs the
// same (then no arm is "the expensive one" and all are taken to use the examples).
#pragma once
#include <span>
#include <string_view>

#include "options/table_options.h"

namespace iccache::select {

// True when a reward for a request served by `arm` is a label for the examples it showed.
// An arm that is not among `models` (the cache arm, a model no longer configured) never is.
bool learns_from(std::span<const ModelArm> models, std::string_view arm);

}  // namespace iccache::select
