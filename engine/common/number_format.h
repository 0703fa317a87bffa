// How iccache writes a number into text meant for people and JSON: error messages ("already
// has a reward (0.7)"), ex_stats keys and values ("threshold.0.35.requests", "small:0.25"),
// iccache_evict's result. One spelling everywhere: printf's %g, six significant digits,
// no trailing zeros ("0.5", "1e+06", "0.333333").
#pragma once
#include <string>

namespace iccache {

std::string format_number(double v);

}  // namespace iccache
