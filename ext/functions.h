// iccache's SQL surface: every virtual-table module and SQL function the extension
// registers, by the file that implements it. extension.cpp registers them from one table.
#pragma once
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

// Virtual-table modules.
const sqlite3_module* iccache_module();  // CREATE VIRTUAL TABLE ... USING iccache (table/)
const sqlite3_module* route_module();    // iccache_route(...) (route/route_vtab.cpp)
const sqlite3_module* prompt_module();   // iccache_prompt(...) (prompt/prompt_vtab.cpp)
const sqlite3_module* stats_module();    // iccache_stats(...) (stats/stats_vtab.cpp)
const sqlite3_module* replay_module();   // iccache_replay(...) (manage/manage_replay.cpp)

// Scalar functions (sqlite3_create_function_v2's xFunc).
void feedback_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);   // route/route_functions.cpp
void load_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);       // idem
void calibrate_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);  // idem
void evict_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);      // manage/manage_evict.cpp
void example_feedback_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);  // manage/manage_feedback.cpp
void training_wait_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);  // index/index_trainer.cpp
void integrity_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);  // table/integrity.cpp
void scrub_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);      // privacy/privacy_sql.cpp
void vector_function(sqlite3_context* ctx, int argc, sqlite3_value** argv);     // vector/vector_function.cpp

}  // namespace iccache::ext
