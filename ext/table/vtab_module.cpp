// Module-level methods of the iccache virtual table: create/connect, planning, shadow-table
// names, rename and destroy.

#include "ext/manage/manage_store.h"
#include "ext/sql/module.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

int init(sqlite3* db, int argc, const char* const* argv, sqlite3_vtab** out, char** err,
         bool create) {
  *out = nullptr;
  return guarded(err, [&] {
    const std::string schema = argv[1], name = argv[2];
    std::vector<std::string> args(argv + 3, argv + argc);
    TableOptions opts = parse_table_options(name, args);
    if (create) Storage::create_tables(db, schema, name);
    else drop_legacy_triggers(db, schema, name);
    int rc = sqlite3_declare_vtab(db, declare_sql(name).c_str());
    check(db, rc, name + ": declaring the table");
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
    auto* t = new Table(db, schema, name, std::move(opts));
    *out = t;
    // The shared state and the training worker now rather than in the first write that
    // crosses a training threshold (index_trainer.h).
    prepare_training(*t);
    return SQLITE_OK;
  });
}

int x_create(sqlite3* db, void*, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
  return init(db, argc, argv, out, err, true);
}

int x_connect(sqlite3* db, void*, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
  return init(db, argc, argv, out, err, false);
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete static_cast<Table*>(vtab);
  return SQLITE_OK;
}

int x_destroy(sqlite3_vtab* vtab) {
  Table* t = static_cast<Table*>(vtab);
  int rc = guarded(vtab, [&] {
    Storage::drop_tables(t->db, t->storage.schema(), t->name);
    return SQLITE_OK;
  });
  if (rc == SQLITE_OK) delete t;
  return rc;
}

// The plan is the engine's (engine/table/plan.h, where its cost model is written down).
int x_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  Table* t = static_cast<Table*>(vtab);
  note_planned(t);  // find_table's probe (registry.h)
  return apply_plan(vtab, info, table::plan_table_query(query_of(info), t->options.select, t->name));
}

int x_rename(sqlite3_vtab* vtab, const char* new_name) {
  Table* t = static_cast<Table*>(vtab);
  return guarded(vtab, [&] {
    Storage::rename_tables(t->db, t->storage.schema(), t->name, new_name);
    t->name = new_name;
    t->storage = Storage(t->db, t->storage.schema(), new_name);
    t->manage = ManageStore(t->storage);  // its statements name the old shadow tables
    t->route.reset();  // its prepared statements name the old shadow tables
    // The index is shared by file and table name: look it up again under the new name.
    t->log = ChangeLog(t->storage);
    t->index_store = IndexStore(t->storage);
    t->cache = std::make_shared<index::IndexCache>(t->options.dim, t->options.sq8);
    t->cache_resolved = false;
    t->cache_shared = false;
    t->own.reset();
    t->overlay.clear();
    t->select.reset();  // the same
    return SQLITE_OK;
  });
}

int x_shadow_name(const char* suffix) { return is_shadow_suffix(suffix) ? 1 : 0; }

// The module's methods by slot name (sql/module.h): the module-level ones above, the
// cursor's (vtab_cursor.cpp) and xUpdate (vtab_write.cpp).
struct TableModule {
  static constexpr auto create = x_create, connect = x_connect;
  static constexpr auto disconnect = x_disconnect, destroy = x_destroy;
  static constexpr auto best_index = x_best_index;
  static constexpr auto open = cursor_open;
  static constexpr auto close = cursor_close;
  static constexpr auto filter = cursor_filter;
  static constexpr auto next = cursor_next;
  static constexpr auto eof = cursor_eof;
  static constexpr auto column = cursor_column;
  static constexpr auto rowid = cursor_rowid;
  static constexpr auto update = table_update;
  static constexpr auto rename = x_rename;
  static constexpr auto shadow_name = x_shadow_name;
};

}  // namespace

const sqlite3_module* iccache_module() {
  static const sqlite3_module m = module_of<TableModule>(3);  // 3: xShadowName
  return &m;
}

}  // namespace iccache::ext
