// The rows of iccache_stats / ex_stats: one (key, value) per figure, the value NULL, an
// integer, a real or text. Each concept builds its own rows (route/route_ops.h router_stats,
// select/select_ops.h select_stats...); ext/stats/ lists the sources and returns the rows.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace iccache {

using StatValue = std::variant<std::monostate, int64_t, double, std::string>;
struct StatRow {
  std::string key;
  StatValue value;
};
using StatRows = std::vector<StatRow>;

}  // namespace iccache
