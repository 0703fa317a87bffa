// Lists of example ids as JSON text: what iccache_route and iccache_example_feedback take
// ("[3, 7, 9]") and what the decision log stores. One strict reader for all of them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iccache {

// The most ids one list argument may hold (iccache_route, iccache_example_feedback).
constexpr size_t kMaxIds = 4096;

// A JSON array of integers ("[3, -7, 9]", white space anywhere between tokens), each within
// int64; blank text is the empty list. nullopt for anything else: other JSON values, numbers
// with a fraction or exponent, ids beyond int64, trailing text.
std::optional<std::vector<int64_t>> parse_id_list(std::string_view text);

// The JSON array text of ids ("[3,7,9]"), which parse_id_list reads back.
std::string id_list_json(const std::vector<int64_t>& ids);

}  // namespace iccache
