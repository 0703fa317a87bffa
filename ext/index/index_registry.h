// The process-wide registry of shared in-memory indexes: connections of one process that
// open the same database file (device + inode) and the same iccache table share one
// IndexCache (index_cache.h) instead of each holding a copy of every vector. In-memory and
// temp databases are private to their connection and get nullptr.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "ext/index/index_cache.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// The shared cache of table `table` in database `schema` of connection db, made on first
// use; nullptr when the database has no file (":memory:", temp, a memdb URI). `instance`
// tells apart tables that reuse a name after DROP + CREATE (T_state 'identity').
std::shared_ptr<IndexCache> shared_index(sqlite3* db, const std::string& schema, const std::string& table,
                                         int64_t instance, int dim, bool sq8);

}  // namespace iccache::ext
