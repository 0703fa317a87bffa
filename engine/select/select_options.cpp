#include "select/select_options.h"

#include <charconv>
#include <cmath>

#include "common/error.h"

namespace iccache {

namespace {

enum Key { kSelection, kCandidates, kThreshold, kGrid, kExplore, kPenalty, kHitSim, kHitQuality, kMinSim, kKeyCount };

const std::vector<std::string_view>& names() {
  static const std::vector<std::string_view> n = {
      "selection", "candidates", "threshold", "threshold_grid", "threshold_explore",
      "prefill_penalty", "hit_similarity", "hit_quality", "min_similarity"};
  return n;
}

[[noreturn]] void invalid(std::string_view table, std::string_view key, std::string_view value,
                          std::string_view expected) {
  throw Error(std::string(table) + ": option " + std::string(key) + "=" + std::string(value) +
              " is not valid; expected " + std::string(expected));
}

bool parse_double(std::string_view s, double& v) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

double number(std::string_view table, std::string_view key, std::string_view value, double lo,
              double hi, bool open_lo, std::string_view expected) {
  double v = 0;
  if (!parse_double(value, v) || v < lo || v > hi || (open_lo && v == lo))
    invalid(table, key, value, expected);
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// "0,0.1,0.3": 1 to 32 distinct ascending numbers in [0, 1].
std::vector<double> grid(std::string_view table, std::string_view key, std::string_view value) {
  constexpr const char* kExpected =
      "1 to 32 comma-separated ascending numbers from 0 to 1, such as 0,0.1,0.2,0.4";
  std::vector<double> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = std::min(value.find(',', start), value.size());
    double v = 0;
    if (!parse_double(value.substr(start, comma - start), v) || v < 0 || v > 1 ||
        (!out.empty() && v <= out.back()) || out.size() == 32)
      invalid(table, key, value, kExpected);
    out.push_back(v);
    if (comma == value.size()) return out;
    start = comma + 1;
  }
}

}  // namespace

const std::vector<std::string_view>& select_option_names() { return names(); }

bool parse_select_option(std::string_view table, const std::string& key, std::string_view value,
                         SelectOptions& out) {
  int which = -1;
  for (int i = 0; i < kKeyCount; ++i)
    if (names()[i] == key) which = i;
  if (which < 0) return false;
  switch (which) {
    case kSelection: {
      const std::string v = lower(value);
      if (v == "utility") out.selection = SelectionKind::kUtility;
      else if (v == "similarity") out.selection = SelectionKind::kSimilarity;
      else invalid(table, key, value, "'utility' (two-stage) or 'similarity' (plain top-k)");
      break;
    }
    case kCandidates: {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 4096)
        invalid(table, key, value, "an integer from 1 to 4096");
      out.candidates = n;
      break;
    }
    case kThreshold:
      out.threshold = number(table, key, value, 0, 1, false, "a utility from 0 to 1");
      break;
    case kGrid:
      out.threshold_grid = grid(table, key, value);
      break;
    case kExplore:
      out.threshold_explore = number(table, key, value, 0, 1, false, "a share from 0 to 1");
      break;
    case kPenalty:
      out.prefill_penalty = number(table, key, value, 0, 1, false, "a number of reward units from 0 to 1");
      break;
    case kHitSim:
      out.hit_similarity = number(table, key, value, 0, 1, true, "a cosine similarity greater than 0 and at most 1");
      break;
    case kMinSim:
      out.min_similarity = number(table, key, value, -1, 1, false, "a cosine similarity from -1 to 1");
      break;
    case kHitQuality:
      out.hit_quality = number(table, key, value, 0, 1, false, "a quality from 0 to 1");
      break;
  }
  return true;
}

}  // namespace iccache
