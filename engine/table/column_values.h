// The values of the iccache table's columns (table/columns.h numbers) in one statement: the
// columns of an INSERT or UPDATE (table/example_row.h), the constraints a query passes to
// xFilter (table/match_args.h). The ext side implements it with its argument readers, which
// refuse a bad value with "<table>.<column>: must be <expected>; received <value>".
#pragma once
#include <cstdint>
#include <string_view>

namespace iccache::table {

class ColumnValues {
 public:
  virtual ~ColumnValues() = default;
  virtual bool is_null(int col) = 0;
  // An UPDATE that leaves col as it is (always false otherwise).
  virtual bool unchanged(int col) = 0;
  // TEXT (any other type is refused; not checked for UTF-8).
  virtual std::string_view text(int col, std::string_view expected) = 0;
  // Any value as SQL converts it to text (NULL: empty).
  virtual std::string_view as_text(int col) = 0;
  // A finite number in [lo, hi]; an integer in [lo, hi].
  virtual double number(int col, double lo, double hi, std::string_view expected) = 0;
  virtual int64_t integer(int col, int64_t lo, int64_t hi, std::string_view expected) = 0;
  // Refuses col's value: "must be <expected>; received <value>".
  [[noreturn]] virtual void refuse(int col, std::string_view expected) = 0;
};

}  // namespace iccache::table
