// Reading the arguments of iccache's SQL functions and table-valued functions, and the
// column values of the iccache table: the one set of readers (text, numbers, integers,
// tenants, example-id lists). Each refuses a bad value with one wording:
//   "<function>: <argument> must be <expected>; received <value>"
//   "<table.column>: must be <expected>; received <value>"   (argument "")
// where <value> is how describe() shows it (NULL, 'text', 1.5, a BLOB of 8 bytes).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// The bytes of a value as text, without copying (empty for NULL).
std::string_view text_of(sqlite3_value* v);

// How a value reads in an error message: NULL, 'text' (at most 60 bytes shown), 12, 1.5,
// a BLOB of 8 bytes.
std::string describe(sqlite3_value* v);

// Throws iccache::Error "<where>: <argument> must be <expected>; received <describe(v)>"
// ("<where>: must be ..." when argument is empty).
[[noreturn]] void refuse(std::string_view where, std::string_view argument,
                         std::string_view expected, sqlite3_value* v);

// TEXT (any other type is refused); not checked for UTF-8.
std::string_view text_arg(sqlite3_value* v, std::string_view where, std::string_view argument,
                          std::string_view expected);
// The table name argument (TEXT).
std::string table_name_arg(sqlite3_value* v, std::string_view function);
// A tenant argument: TEXT. NULL is refused (it would match no example, as tenant = NULL in
// SQL; leaving the argument out means every tenant), so is any other type.
std::string tenant_arg(sqlite3_value* v, std::string_view function);

// A finite number (INTEGER, REAL or text that reads as one) in [lo, hi].
double number_arg(sqlite3_value* v, std::string_view where, std::string_view argument, double lo,
                  double hi, std::string_view expected);
// An integer (INTEGER, or an integral REAL) in [lo, hi].
int64_t integer_arg(sqlite3_value* v, std::string_view where, std::string_view argument,
                    int64_t lo, int64_t hi, std::string_view expected);

// NULL, '' or a JSON array of integer example ids ("[3, 7, 9]"), at most 4096 of them
// (engine/common/id_list.h reads the text).
std::vector<int64_t> id_list_arg(sqlite3_value* v, std::string_view function,
                                 std::string_view argument);

}  // namespace iccache::ext
