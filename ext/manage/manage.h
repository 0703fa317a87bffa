// Registration of the example manager's SQL surface on a connection: the iccache_replay
// table-valued function (manage_replay.cpp), iccache_evict (manage_evict.cpp) and
// iccache_example_feedback (manage_feedback.cpp).
#pragma once
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

int register_replay_module(sqlite3* db);
int register_evict_function(sqlite3* db);
int register_example_feedback_function(sqlite3* db);
int register_integrity_function(sqlite3* db);  // integrity.h

inline int register_manage(sqlite3* db) {
  int rc = register_replay_module(db);
  if (rc == SQLITE_OK) rc = register_evict_function(db);
  if (rc == SQLITE_OK) rc = register_example_feedback_function(db);
  if (rc == SQLITE_OK) rc = register_integrity_function(db);
  return rc;
}

}  // namespace iccache::ext
