#include "common/id_list.h"

#include <charconv>

namespace iccache {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::optional<std::vector<int64_t>> parse_id_list(std::string_view s) {
  std::vector<int64_t> ids;
  size_t i = 0;
  auto skip = [&] {
    while (i < s.size() && is_space(s[i])) ++i;
  };
  auto at = [&](char c) { return i < s.size() && s[i] == c; };
  skip();
  if (i == s.size()) return ids;  // blank: none
  if (!at('[')) return std::nullopt;
  ++i;
  skip();
  if (at(']')) {
    ++i;
  } else {
    for (;;) {
      skip();
      const size_t start = i;
      if (at('-')) ++i;
      const size_t first_digit = i;
      while (i < s.size() && is_digit(s[i])) ++i;
      int64_t id = 0;
      // from_chars takes every int64 (the minimum rowid too) and refuses what overflows.
      if (i == first_digit || std::from_chars(s.data() + start, s.data() + i, id).ec != std::errc())
        return std::nullopt;
      ids.push_back(id);
      skip();
      if (at(',')) {
        ++i;
        continue;
      }
      if (at(']')) {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  skip();
  if (i != s.size()) return std::nullopt;
  return ids;
}

std::string id_list_json(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
  return out;
}

}  // namespace iccache
