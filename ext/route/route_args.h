// Argument parsing shared by the routing functions: each throws iccache::Error with a full
// sentence naming the function, the argument and what was expected.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// The table name argument (TEXT).
std::string table_name_arg(sqlite3_value* v, std::string_view function);
// A tenant argument: TEXT. NULL is refused (it would match no example, as tenant = NULL in
// SQL; leaving the argument out means every tenant), so is any other type.
std::string tenant_arg(sqlite3_value* v, std::string_view function);
// Refuses (before anything is written) any id in `ids` that is an example of another tenant
// than `tenant` in t; ids of no example are left to the caller. `what` names the argument.
void require_tenant_examples(Table& t, const std::vector<int64_t>& ids, const std::string& tenant,
                             std::string_view function, std::string_view what);

// A request: TEXT to embed (or a JSON vector), or a float32 BLOB. Returns the unit vector;
// request_bytes is the text length, 0 for a vector.
std::vector<float> request_arg(Table& t, sqlite3_value* v, std::string_view function,
                               int64_t& request_bytes);

// NULL, '' or a JSON array of integer example ids ("[3, 7, 9]"), at most 4096 of them.
std::vector<int64_t> example_ids_arg(sqlite3_value* v, std::string_view function);
std::string example_ids_json(const std::vector<int64_t>& ids);

// A finite number in [lo, hi]; `expected` describes the range in words.
double number_arg(sqlite3_value* v, std::string_view function, std::string_view argument,
                  double lo, double hi, std::string_view expected);

// An INTEGER (or an integral REAL).
int64_t integer_arg(sqlite3_value* v, std::string_view function, std::string_view argument);

// How a value reads in an error message: NULL, 'text', 12, a BLOB of 8 bytes.
std::string describe(sqlite3_value* v);

}  // namespace iccache::ext
