#include "options/option_parse.h"

#include <cmath>

#include "common/error.h"

namespace iccache::options {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

void invalid(std::string_view table, std::string_view option, std::string_view value,
             std::string_view expected, std::string_view detail) {
  std::string msg = std::string(table) + ": option " + std::string(option) + "=" +
                    std::string(value) + " is not valid";
  if (!detail.empty()) msg += ": " + std::string(detail);
  throw Error(msg + "; expected " + std::string(expected));
}

int64_t integer_in(std::string_view table, std::string_view option, std::string_view value,
                   int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (!parse_whole(value, v) || v < lo || v > hi)
    invalid(table, option, value, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

double number_in(std::string_view table, std::string_view option, std::string_view value,
                 double lo, double hi, bool open_lo, std::string_view expected) {
  double v = 0;
  if (!parse_whole(trim(value), v) || !std::isfinite(v) || v < lo || v > hi || (open_lo && v == lo))
    invalid(table, option, value, expected);
  return v;
}

bool parse_duration(std::string_view value, double& seconds) {
  std::string_view number = value;
  double unit = 1;
  if (!value.empty()) {
    switch (value.back()) {
      case 's': case 'S': unit = 1; break;
      case 'm': case 'M': unit = 60; break;
      case 'h': case 'H': unit = 3600; break;
      case 'd': case 'D': unit = 86400; break;
      default: unit = 0; break;
    }
    if (unit != 0) number = trim(value.substr(0, value.size() - 1));
    else unit = 1;
  }
  double v = 0;
  if (!parse_whole(number, v) || !std::isfinite(v) || v <= 0 || !std::isfinite(v * unit)) return false;
  seconds = v * unit;
  return true;
}

double duration(std::string_view table, std::string_view option, std::string_view value) {
  double s = 0;
  if (!parse_duration(value, s)) invalid(table, option, value, kDurationExpected);
  return s;
}

bool on_off(std::string_view table, std::string_view option, std::string_view value) {
  const std::string v = lower(value);
  if (v == "on" || v == "1" || v == "true") return true;
  if (v == "off" || v == "0" || v == "false") return false;
  invalid(table, option, value, "on or off");
}

int choice(std::string_view table, std::string_view option, std::string_view value,
           std::span<const std::string_view> choices, std::string_view expected) {
  const std::string v = lower(value);
  for (size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == v) return static_cast<int>(i);
  invalid(table, option, value, expected);
}

}  // namespace iccache::options
