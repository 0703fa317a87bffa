// The iccache tables connected on each database connection, so that SQL functions such as
// iccache_route('ex', ...) reach a table's in-memory state by name.
#pragma once
#include <string_view>

#include "sqlite_api.h"

namespace iccache::ext {

struct Table;

void register_table(Table* t);
void unregister_table(Table* t);

// The iccache table `name` of connection db, connecting it first if no statement has
// touched it yet. Throws iccache::Error naming `function` when there is no such table.
Table* find_table(sqlite3* db, std::string_view name, std::string_view function);

}  // namespace iccache::ext
