// What every virtual-table module of iccache shares: filling the sqlite3_module from a
// class of static methods, and in xBestIndex copying the query in for the engine's planner
// (engine/table/plan.h) and its plan out. Used by the table-valued-function base (tvf.h)
// and the iccache table (table/vtab_module.cpp).
#pragma once
#include "ext/sql/sqlite_api.h"
#include "table/plan.h"

namespace iccache::ext {

// An sqlite3_module whose slots are M's static methods of the same names (create, connect,
// best_index, disconnect, destroy, open, close, filter, next, eof, column, rowid, update,
// rename, shadow_name); a slot M has no method for stays null (xCreate null: eponymous
// only). `version` is the iVersion: 1 without shadow-table names, 3 with them.
template <class M>
sqlite3_module module_of(int version) {
  sqlite3_module m{};
  m.iVersion = version;
#define ICCACHE_MODULE_SLOT(slot, method) \
  if constexpr (requires { M::method; }) m.slot = M::method;
  ICCACHE_MODULE_SLOT(xCreate, create)
  ICCACHE_MODULE_SLOT(xConnect, connect)
  ICCACHE_MODULE_SLOT(xBestIndex, best_index)
  ICCACHE_MODULE_SLOT(xDisconnect, disconnect)
  ICCACHE_MODULE_SLOT(xDestroy, destroy)
  ICCACHE_MODULE_SLOT(xOpen, open)
  ICCACHE_MODULE_SLOT(xClose, close)
  ICCACHE_MODULE_SLOT(xFilter, filter)
  ICCACHE_MODULE_SLOT(xNext, next)
  ICCACHE_MODULE_SLOT(xEof, eof)
  ICCACHE_MODULE_SLOT(xColumn, column)
  ICCACHE_MODULE_SLOT(xRowid, rowid)
  ICCACHE_MODULE_SLOT(xUpdate, update)
  ICCACHE_MODULE_SLOT(xRename, rename)
  ICCACHE_MODULE_SLOT(xShadowName, shadow_name)
#undef ICCACHE_MODULE_SLOT
  return m;
}

// xBestIndex: constraint i becomes xFilter's next argument (argv[argi], counting from 1 as
// SQLite does), and SQLite does not check it again (the cursor honours it).
inline void pass_to_filter(sqlite3_index_info* info, int i, int& argi) {
  info->aConstraintUsage[i].argvIndex = ++argi;
  info->aConstraintUsage[i].omit = 1;
}

// The constraints, ORDER BY and columns read of xBestIndex's query (the strings point into
// `info`: use the result within the call).
table::Query query_of(sqlite3_index_info* info);

// Writes `plan` into info (each argument passed to xFilter, which honours it) and returns
// xBestIndex's result code; a kError plan's message goes to vtab's zErrMsg.
int apply_plan(sqlite3_vtab* vtab, sqlite3_index_info* info, const table::Plan& plan);

}  // namespace iccache::ext
