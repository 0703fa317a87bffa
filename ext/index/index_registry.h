// The process-wide registry of shared in-memory indexes: connections of one process that
// open the same database file (device + inode) and the same iccache table share one
// IndexCache (index_cache.h) instead of each holding a copy of every vector, one
// training status (engine/index/training_status.h) and selection's attribute cache (select_attributes.h). In-memory and temp databases are private to their
// connection and are not registered.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ext/index/index_cache.h"
#include "ext/index/lexical_cache.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::index {
struct TrainingStatus;  // index/training_status.h
}  // namespace iccache::index

namespace iccache::ext {

using TrainingStatus = index::TrainingStatus;
struct SharedAttributes;  // select/select_attributes.h

struct SharedTable {
  std::shared_ptr<IndexCache> cache;
  std::shared_ptr<TrainingStatus> training;
  std::shared_ptr<SharedAttributes> attributes;  // selection's per-example scoring attributes
  // The lexical index (lexical_cache.h), used by text_index='lexical' tables only.
  std::shared_ptr<LexicalCache> lexical;
  std::string path;  // the database file, for the background trainer's own connection
};

// The shared state of table `table` in database `schema` of connection db, made on first
// use; nullopt when the database has no file (":memory:", temp, a memdb URI). `instance`
// tells apart tables that reuse a name after DROP + CREATE (T_state 'identity').
std::optional<SharedTable> shared_table(sqlite3* db, const std::string& schema, const std::string& table,
                                        int64_t instance, int dim, bool sq8);

// Hands `built` (an index that reflects a committed state: a training just committed, or a
// connection's private index after its commit) to the shared cache, unless the shared one
// already reflects that state or a later one. `built` is left empty when taken.
void offer_index(IndexCache& shared, IndexCache& built);
// The same for a lexical index (a connection's private one, after its commit).
void offer_lexical(LexicalCache& shared, LexicalCache& built);

}  // namespace iccache::ext
