#include "ext/route/route_args.h"

#include <charconv>
#include <cmath>

#include "common/error.h"
#include "vector/vector_parse.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
constexpr size_t kMaxExamples = 4096;

std::string_view text_of(sqlite3_value* v) {
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, sqlite3_value_bytes(v)) : std::string_view();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

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

std::string table_name_arg(sqlite3_value* v, std::string_view function) {
  if (sqlite3_value_type(v) != SQLITE_TEXT)
    throw Error(std::string(function) + ": the first argument must be the name of an iccache table"
                " (TEXT); received " + describe(v));
  return std::string(text_of(v));
}

std::string tenant_arg(sqlite3_value* v, std::string_view function) {
  if (sqlite3_value_type(v) != SQLITE_TEXT)
    throw Error(std::string(function) + ": tenant must be TEXT, the tenant column of the examples"
                " to act on; received " + describe(v) +
                " (NULL matches no tenant; leave the argument out for every tenant)");
  return std::string(text_of(v));
}

void require_tenant_examples(Table& t, const std::vector<int64_t>& ids, const std::string& tenant,
                             std::string_view function, std::string_view what) {
  if (ids.empty()) return;
  Stmt s(t.db, "SELECT tenant FROM " + t.storage.shadow("data") + " WHERE id = ?");
  for (int64_t id : ids) {
    s.reset().bind(1, id);
    if (s.step() && s.text(0) != tenant)
      throw Error(std::string(function) + ": example " + std::to_string(id) + " of " +
                  std::string(what) + " is not one of tenant '" + tenant + "''s examples in " +
                  t.name + "; expected ids from a MATCH on " + t.name + " with tenant = '" +
                  tenant + "'");
  }
}

std::vector<float> request_arg(Table& t, sqlite3_value* v, std::string_view function,
                               int64_t& request_bytes) {
  const std::string what = std::string(function) + " request";
  request_bytes = 0;
  switch (sqlite3_value_type(v)) {
    case SQLITE_BLOB:
      return parse_vector_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v), t.options.dim, what);
    case SQLITE_TEXT: {  // always request text, '[' or not (a vector is a BLOB)
      const std::string_view text = text_of(v);
      request_bytes = static_cast<int64_t>(text.size());
      return t.embed_query(text, what);
    }
    default:
      throw Error(what + ": expected request TEXT, or a vector as a float32 BLOB of " +
                  std::to_string(t.options.dim) + " dimensions (iccache_vector('[...]') makes one"
                  " from a JSON array); received " + describe(v));
  }
}

std::vector<int64_t> example_ids_arg(sqlite3_value* v, std::string_view function) {
  std::vector<int64_t> ids;
  if (sqlite3_value_type(v) == SQLITE_NULL) return ids;
  const std::string expected = std::string(function) +
                               ": example_ids_json must be a JSON array of example ids such as"
                               " [3, 7, 9] (or NULL for none); received ";
  if (sqlite3_value_type(v) != SQLITE_TEXT) throw Error(expected + describe(v));
  const std::string_view s = text_of(v);
  size_t i = 0;
  auto skip = [&] { while (i < s.size() && is_space(s[i])) ++i; };
  skip();
  if (i == s.size()) return ids;  // '' means none
  if (s[i] != '[') throw Error(expected + describe(v));
  ++i;
  skip();
  if (i < s.size() && s[i] == ']') {
    ++i;
  } else {
    for (;;) {
      skip();
      const size_t start = i;
      if (i < s.size() && s[i] == '-') ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      const size_t digits = i - start - (s[start] == '-' ? 1 : 0);
      int64_t id = 0;
      // from_chars takes every int64 (the minimum rowid too) and refuses what overflows.
      if (digits == 0 || digits > 19 || std::from_chars(s.data() + start, s.data() + i, id).ec != std::errc())
        throw Error(expected + describe(v));
      ids.push_back(id);
      if (ids.size() > kMaxExamples)
        throw Error(std::string(function) + ": example_ids_json has more than " +
                    std::to_string(kMaxExamples) + " ids; expected at most " + std::to_string(kMaxExamples));
      skip();
      if (i < s.size() && s[i] == ',') { ++i; continue; }
      if (i < s.size() && s[i] == ']') { ++i; break; }
      throw Error(expected + describe(v));
    }
  }
  skip();
  if (i != s.size()) throw Error(expected + describe(v));
  return ids;
}

std::string example_ids_json(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

double number_arg(sqlite3_value* v, std::string_view function, std::string_view argument,
                  double lo, double hi, std::string_view expected) {
  const int type = sqlite3_value_numeric_type(v);
  const double d = sqlite3_value_double(v);
  if ((type != SQLITE_INTEGER && type != SQLITE_FLOAT) || !std::isfinite(d) || d < lo || d > hi)
    throw Error(std::string(function) + ": " + std::string(argument) + " must be " +
                std::string(expected) + "; received " + describe(v));
  return d;
}

int64_t integer_arg(sqlite3_value* v, std::string_view function, std::string_view argument) {
  const int type = sqlite3_value_numeric_type(v);
  const double d = sqlite3_value_double(v);
  if (type == SQLITE_INTEGER) return sqlite3_value_int64(v);
  if (type == SQLITE_FLOAT && std::floor(d) == d && std::abs(d) < 9e15) return static_cast<int64_t>(d);
  throw Error(std::string(function) + ": " + std::string(argument) + " must be an integer; received " +
              describe(v));
}

}  // namespace iccache::ext
