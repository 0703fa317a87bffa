// Entry point of the loadable extension: `.load build/iccache` in the sqlite3 shell, or
// sqlite3_load_extension / enable_load_extension from any client.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "ext/manage/manage.h"

namespace iccache::ext {
const sqlite3_module* iccache_module();
int register_route_functions(sqlite3* db);  // route_functions.cpp
int register_stats_function(sqlite3* db);   // stats_vtab.cpp
int register_prompt_function(sqlite3* db);  // prompt_vtab.cpp
int register_privacy_functions(sqlite3* db);  // privacy_sql.cpp
int register_vector_function(sqlite3* db);  // vector_function.cpp
int register_training_function(sqlite3* db);  // index_trainer.cpp
}

extern "C" __attribute__((visibility("default"))) int sqlite3_iccache_init(
    sqlite3* db, char** err, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  int rc = sqlite3_create_module_v2(db, "iccache", iccache::ext::iccache_module(), nullptr, nullptr);
  if (rc != SQLITE_OK) *err = sqlite3_mprintf("iccache: could not register the module: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_manage(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register the example manager: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_route_functions(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register the routing functions: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_stats_function(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register iccache_stats: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_prompt_function(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register iccache_prompt: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_privacy_functions(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register iccache_scrub: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_vector_function(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register iccache_vector: %s", sqlite3_errstr(rc));
  if (rc == SQLITE_OK && (rc = iccache::ext::register_training_function(db)) != SQLITE_OK)
    *err = sqlite3_mprintf("iccache: could not register iccache_training_wait: %s", sqlite3_errstr(rc));
  return rc;
}
