#include "table/table_name.h"

namespace iccache::table {

namespace {

// One identifier of a possibly qualified name, from s[i] on (see name_readings). Returns
// false when the text is not one.
bool parse_part(std::string_view s, size_t& i, std::string& out) {
  out.clear();
  if (i >= s.size()) return false;
  const char open = s[i];
  if (open == '"' || open == '`' || open == '[') {
    const char close = open == '[' ? ']' : open;
    for (++i; i < s.size(); ++i) {
      if (s[i] != close) {
        out += s[i];
      } else if (close != ']' && i + 1 < s.size() && s[i + 1] == close) {
        out += close;
        ++i;
      } else {
        ++i;
        return !out.empty();
      }
    }
    return false;  // unterminated
  }
  while (i < s.size() && s[i] != '.') out += s[i++];
  return !out.empty();
}

// The name with a NUL byte shown as \0.
std::string shown(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return out;
}

}  // namespace

std::vector<TableName> name_readings(std::string_view text) {
  std::vector<TableName> out;
  size_t i = 0;
  std::string first, second;
  if (parse_part(text, i, first)) {
    if (i == text.size()) {
      out.push_back({"", first});
    } else if (text[i] == '.') {
      ++i;
      if (parse_part(text, i, second) && i == text.size()) out.push_back({first, second});
    }
  }
  if (out.empty() || !out[0].schema.empty()) out.push_back({"", std::string(text)});
  return out;
}

void check_table_name(std::string_view name, std::string_view function) {
  const std::string f(function);
  if (name.empty())
    throw Error(f + ": the table name is empty; expected the name of a table created with USING"
                    " iccache(...), such as 'ex' or 'main.ex'");
  if (name.find('\0') != std::string_view::npos)
    throw Error(f + ": the table name '" + shown(name) +
                "' holds a NUL byte; expected the name of a table created with USING iccache(...)");
}

Error not_an_iccache_table(std::string_view name, std::string_view function) {
  return Error(std::string(function) + ": '" + std::string(name) +
               "' is not an iccache table; expected the name of a table created with USING iccache(...)");
}

Error no_iccache_table(std::string_view name, std::string_view function) {
  return Error(std::string(function) + ": there is no iccache table named '" + std::string(name) +
               "'; expected the name of a table created with USING iccache(...)");
}

Error no_table_with_identity(std::string_view name, int64_t identity, std::string_view function) {
  return Error(std::string(function) + ": there is no iccache table named '" + std::string(name) +
               "' with identity " + std::to_string(identity) +
               " in any attached database; expected the table this view was created for");
}

}  // namespace iccache::table
