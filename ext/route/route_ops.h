// The routing operations' glue: the table's router state (engine/route/route_state.h) over
// its SQL store, and the engine's operations (engine/route/route_ops.h) wired to the table's
// selection, example statistics and tenant check.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "route/route_ops.h"

namespace iccache::ext {

struct Table;

// The router state of table t, created on first use and refreshed against the nonce.
route::RouteState& route_state(Table& t);

// route::route_request and route::give_feedback on table t, now.
route::RouteResult route_request(Table& t, const std::vector<float>& request, int64_t request_bytes,
                                 const std::vector<int64_t>& example_ids, double at,
                                 std::string_view request_text = {});
void give_feedback(Table& t, int64_t decision, double reward, std::string_view arm = {},
                   const std::string* tenant = nullptr);

}  // namespace iccache::ext
