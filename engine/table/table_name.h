// How the table-name argument of iccache's SQL functions reads ('ex', 'aux.ex',
// '"aux"."my table"'), and the errors of a name that names no iccache table.
// ext/table/registry.h resolves the readings against the connection.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace iccache::table {

struct TableName {
  std::string schema;  // empty: resolve as SQL does
  std::string table;
};

// The ways `text` may be read, most specific first: "schema.table" when it parses so, then
// the whole text as one table name (a table may be called "a.b"). Each part is an
// identifier: "quoted" (with "" inside), `quoted`, [bracketed], or bare up to the next '.'.
std::vector<TableName> name_readings(std::string_view text);

// Throws iccache::Error naming `function` when the name is empty or holds a NUL byte.
void check_table_name(std::string_view name, std::string_view function);

// The errors of a name that SQL resolves to a table of another kind, to no table, or (with
// a view's table identity) to no table of that identity.
Error not_an_iccache_table(std::string_view name, std::string_view function);
Error no_iccache_table(std::string_view name, std::string_view function);
Error no_table_with_identity(std::string_view name, int64_t identity, std::string_view function);

}  // namespace iccache::table
