#include "ext/sql/args.h"

#include <cmath>

#include "common/error.h"
#include "common/id_list.h"

namespace iccache::ext {

std::string_view text_of(sqlite3_value* v) {
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, sqlite3_value_bytes(v)) : std::string_view();
}

std::string describe(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_BLOB: return "a BLOB of " + std::to_string(sqlite3_value_bytes(v)) + " bytes";
    case SQLITE_TEXT: {
      std::string s(text_of(v).substr(0, 60));
      return "'" + s + (sqlite3_value_bytes(v) > 60 ? "...'" : "'");
    }
    default: return std::string(text_of(v));
  }
}

void refuse(std::string_view where, std::string_view argument, std::string_view expected,
            sqlite3_value* v) {
  throw Error(std::string(where) + ": " + std::string(argument) + (argument.empty() ? "" : " ") +
              "must be " + std::string(expected) + "; received " + describe(v));
}

std::string_view text_arg(sqlite3_value* v, std::string_view where, std::string_view argument,
                          std::string_view expected) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) refuse(where, argument, expected, v);
  return text_of(v);
}

std::string table_name_arg(sqlite3_value* v, std::string_view function) {
  return std::string(text_arg(v, function, "the first argument",
                              "the name of an iccache table (TEXT)"));
}

std::string tenant_arg(sqlite3_value* v, std::string_view function) {
  if (sqlite3_value_type(v) != SQLITE_TEXT)
    throw Error(std::string(function) + ": tenant must be TEXT, the tenant column of the examples"
                " to act on; received " + describe(v) +
                " (NULL matches no tenant; leave the argument out for every tenant)");
  return std::string(text_of(v));
}

double number_arg(sqlite3_value* v, std::string_view where, std::string_view argument, double lo,
                  double hi, std::string_view expected) {
  const int type = sqlite3_value_numeric_type(v);
  const double d = sqlite3_value_double(v);
  if ((type != SQLITE_INTEGER && type != SQLITE_FLOAT) || !std::isfinite(d) || d < lo || d > hi)
    refuse(where, argument, expected, v);
  return d;
}

int64_t integer_arg(sqlite3_value* v, std::string_view where, std::string_view argument,
                    int64_t lo, int64_t hi, std::string_view expected) {
  const int type = sqlite3_value_numeric_type(v);
  const double d = sqlite3_value_double(v);
  int64_t n = 0;
  if (type == SQLITE_INTEGER) n = sqlite3_value_int64(v);
  else if (type == SQLITE_FLOAT && std::floor(d) == d && std::abs(d) < 9e15) n = static_cast<int64_t>(d);
  else refuse(where, argument, expected, v);
  if (n < lo || n > hi) refuse(where, argument, expected, v);
  return n;
}

std::vector<int64_t> id_list_arg(sqlite3_value* v, std::string_view function,
                                 std::string_view argument) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return {};
  const std::string expected = "a JSON array of example ids such as [3, 7, 9] (or NULL for none)";
  if (sqlite3_value_type(v) != SQLITE_TEXT) refuse(function, argument, expected, v);
  std::optional<std::vector<int64_t>> ids = parse_id_list(text_of(v));
  if (!ids) refuse(function, argument, expected, v);
  if (ids->size() > kMaxIds)
    refuse(function, argument, "a list of at most " + std::to_string(kMaxIds) + " ids",
           v);
  return std::move(*ids);
}

}  // namespace iccache::ext
