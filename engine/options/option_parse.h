// The one option-parsing kit of the engine: every option of CREATE VIRTUAL TABLE ... USING
// iccache(...) is parsed with these, whichever concept owns it (table, route, select,
// manage), so equal kinds of value accept the same forms everywhere (a duration is "3600",
// "90s", "30m", "12h" or "7d" for half_life, decision_ttl, load_half_life and
// change_log_age alike) and a bad one gets the same sentence:
//   "<table>: option <name>=<value> is not valid[: <detail>]; expected <what>".
#pragma once
#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace iccache::options {

std::string_view trim(std::string_view s);  // spaces, tabs, CR and LF at both ends
std::string lower(std::string_view s);      // ASCII only
// SQLite hands module arguments over verbatim, so 'x' and "x" arrive with their quotes.
std::string_view unquote(std::string_view s);

// Parses all of `s` as a T, or returns false (trailing junk, empty, out of range).
template <class T>
bool parse_whole(std::string_view s, T& value) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// Throws iccache::Error with the kit's sentence (above).
[[noreturn]] void invalid(std::string_view table, std::string_view option, std::string_view value,
                          std::string_view expected, std::string_view detail = {});

// An integer in [lo, hi]; expected "an integer from <lo> to <hi>".
int64_t integer_in(std::string_view table, std::string_view option, std::string_view value,
                   int64_t lo, int64_t hi);

// A finite number in [lo, hi] (lo itself excluded when open_lo); surrounding spaces are
// allowed. `expected` says the range in words.
double number_in(std::string_view table, std::string_view option, std::string_view value,
                 double lo, double hi, bool open_lo, std::string_view expected);

// A positive duration in seconds: "3600", "90s", "30m", "12h", "7d" (fractions allowed,
// unit letters case-insensitive).
double duration(std::string_view table, std::string_view option, std::string_view value);
// The same without throwing: nullopt-like false when `value` is not a positive duration.
bool parse_duration(std::string_view value, double& seconds);
inline constexpr std::string_view kDurationExpected =
    "a positive duration such as 3600, 90s, 30m, 12h or 7d";

// on/1/true or off/0/false (case-insensitive); expected "on or off".
bool on_off(std::string_view table, std::string_view option, std::string_view value);

// One of `choices` (case-insensitive); returns its index. expected: the choices in words.
int choice(std::string_view table, std::string_view option, std::string_view value,
           std::span<const std::string_view> choices, std::string_view expected);

// One option of a concept's options struct O: its name and how its (unquoted, trimmed)
// value is parsed into O. Each concept lists its options once (route_option_specs(), ...);
// parse_table_options and the "unknown option" message read those lists.
template <class O>
struct OptionSpec {
  std::string_view name;
  void (*parse)(std::string_view table, std::string_view value, O& out);
};

// The spec named `key` in `specs`, or nullptr.
template <class O>
const OptionSpec<O>* find_spec(std::span<const OptionSpec<O>> specs, std::string_view key) {
  for (const OptionSpec<O>& s : specs)
    if (s.name == key) return &s;
  return nullptr;
}

// Parses key=value into out with the spec named key and returns true; false when `specs`
// has no such option.
template <class O>
bool parse_with(std::span<const OptionSpec<O>> specs, std::string_view table, std::string_view key,
                std::string_view value, O& out) {
  const OptionSpec<O>* spec = find_spec(specs, key);
  if (spec) spec->parse(table, value, out);
  return spec != nullptr;
}

}  // namespace iccache::options
