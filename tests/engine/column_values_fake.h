// A fake ColumnValues (engine/table/column_values.h) for the engine/table tests: values by
// column, read as the ext side's argument readers read them; refusals name the column of
// table "ex".
#pragma once
#include <map>
#include <string>
#include <variant>

#include "common/error.h"
#include "table/column_values.h"
#include "table/example_row.h"

namespace iccache::table {

struct Unchanged {};
using Value = std::variant<std::monostate, Unchanged, std::string, double, int64_t>;

// Columns absent from the map are NULL (INSERT) or unchanged (UPDATE, `update`).
class FakeRow final : public ColumnValues {
 public:
  explicit FakeRow(std::map<int, Value> v, bool update = false) : v_(std::move(v)), update_(update) {}
  bool is_null(int c) override { return std::holds_alternative<std::monostate>(get(c)); }
  bool unchanged(int c) override { return std::holds_alternative<Unchanged>(get(c)); }
  std::string_view as_text(int c) override {
    const Value& v = get(c);
    if (auto* s = std::get_if<std::string>(&v)) return *s;
    shown_ = std::holds_alternative<int64_t>(v) ? std::to_string(std::get<int64_t>(v)) : "";
    return shown_;
  }
  std::string_view text(int c, std::string_view expected) override {
    if (auto* s = std::get_if<std::string>(&v_.at(c))) return *s;
    refuse(c, expected);
  }
  double number(int c, double lo, double hi, std::string_view expected) override {
    const Value& v = v_.at(c);
    const double d = std::holds_alternative<double>(v) ? std::get<double>(v) : std::get<int64_t>(v);
    if (d < lo || d > hi) refuse(c, expected);
    return d;
  }
  int64_t integer(int c, int64_t lo, int64_t hi, std::string_view expected) override {
    const int64_t n = std::get<int64_t>(v_.at(c));
    if (n < lo || n > hi) refuse(c, expected);
    return n;
  }
  [[noreturn]] void refuse(int c, std::string_view expected) override {
    throw Error(column_what("ex", c) + ": must be " + std::string(expected) + "; received (value)");
  }

 private:
  const Value& get(int c) {
    static const Value null, kept = Unchanged{};
    auto it = v_.find(c);
    return it != v_.end() ? it->second : update_ ? kept : null;
  }
  std::map<int, Value> v_;
  bool update_;
  std::string shown_;
};

}  // namespace iccache::table
