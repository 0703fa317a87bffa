// The process-wide registry of shared in-memory state: connections of one process that
// open the same database file (device + inode) and the same iccache table share one
// IndexCache (index_cache.h) instead of each holding a copy of every vector, one training
// status (training_status.h), selection's attribute cache (select/attribute_follower.h) and
// the lexical index (lexical/lexical_cache.h). In-memory and temp databases are private to
// their connection and are not registered: ext/ finds the file (ext/index/table_index.cpp)
// and asks here only for a database that has one.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "index/index_cache.h"
#include "index/training_status.h"
#include "lexical/lexical_cache.h"
#include "select/attribute_follower.h"

namespace iccache::index {

// Which table's state: the file (two paths to one file are one), the table's name (compared
// without case, as SQLite compares names), `instance`, which tells apart tables that reuse a
// name after DROP + CREATE (T_state 'identity'), and the index's shape.
struct TableIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  std::string table;
  int64_t instance = 0;
  int dim = 0;
  bool sq8 = false;
};

struct SharedTable {
  std::shared_ptr<IndexCache> cache;
  std::shared_ptr<TrainingStatus> training;
  std::shared_ptr<select::FollowedAttributes> attributes;  // selection's per-example scoring attributes
  // The lexical index, used by text_index='lexical' tables only.
  std::shared_ptr<lexical::LexicalCache> lexical;
  std::string path;  // the database file, for the background trainer's own connection
};

// The shared state of the table `id` names, made on first use; it lives as long as a
// connection (or a background training) of the process holds a part of it. `path` is the
// file's name, handed back in the result.
SharedTable shared_table(const TableIdentity& id, const std::string& path);

}  // namespace iccache::index
