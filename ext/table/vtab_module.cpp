// Module-level methods of the iccache virtual table: create/connect, planning, shadow-table
// names, rename and destroy.
#include <cstring>

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

// Cost model (written down, as R*Tree and FTS5 do): a MATCH costs a scan of the vectors
// (N dot products) but returns only k rows; a rowid lookup costs one b-tree descent; a full
// scan reads every row. A MATCH without a usable argument must not be chosen at all.
//
// A tenant constraint matters for a MATCH only inside the search (k rows of that tenant);
// applied by SQLite after the top-k cut it would drop rows instead. So a MATCH plan that uses
// it is priced 10x cheaper than one without any, and a plan that leaves an existing tenant
// constraint unusable (e.g. `ex.tenant = s.tenant` with ex as the outer loop) is priced out:
// SQLite then puts the other table first. Tenants compare exactly (BINARY); a MATCH with a
// tenant constraint in another collation (COLLATE NOCASE) is refused with an error.
int x_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  note_planned(static_cast<Table*>(vtab));  // find_table's probe (registry.h)
  int match = -1, k = -1, tenant = -1, rowid = -1, nprobe = -1, min_sim = -1, diversity = -1;
  bool match_unusable = false, has_match = false, tenant_unusable = false;
  int tenant_collated = -1;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.iColumn == kTableCol && c.op == SQLITE_INDEX_CONSTRAINT_MATCH) {
      has_match = true;
      if (c.usable) match = i; else match_unusable = true;
    }
    if (c.iColumn == kTenant && c.op == SQLITE_INDEX_CONSTRAINT_EQ) {
      const char* coll = sqlite3_vtab_collation(info, i);
      if (coll && sqlite3_stricmp(coll, "BINARY") != 0) tenant_collated = i;
      if (!c.usable) tenant_unusable = true;
    }
    if (!c.usable || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (c.iColumn == kK) k = i;
    if (c.iColumn == kNprobe) nprobe = i;
    if (c.iColumn == kMinSimilarity) min_sim = i;
    if (c.iColumn == kDiversity) diversity = i;
    if (c.iColumn == kTenant) tenant = i;
    if (c.iColumn == -1) rowid = i;
  }
  if (has_match && tenant_collated >= 0)
    return set_error(vtab, SQLITE_ERROR,
                     static_cast<Table*>(vtab)->name + ".tenant: a MATCH filters tenants inside the search"
                     " by exact (BINARY) comparison, so a tenant constraint with COLLATE " +
                     std::string(sqlite3_vtab_collation(info, tenant_collated)) +
                     " cannot be honoured; expected tenant = ? without a collation (store tenant names"
                     " in one case)");
  int plan = 0, argi = 0;
  // Constraint i (when there is one) goes to xFilter, in the order xFilter reads them.
  auto pass = [&](int i, int plan_bit) {
    if (i < 0) return;
    plan |= plan_bit;
    pass_to_filter(info, i, argi);
  };
  if (match >= 0) {
    pass(match, kPlanMatch);
    pass(k, kPlanK);
    pass(tenant, kPlanTenant);  // filtered inside the search
    pass(nprobe, kPlanNprobe);
    pass(min_sim, kPlanMinSimilarity);
    pass(diversity, kPlanDiversity);
    info->estimatedCost = tenant >= 0 ? 100.0 : tenant_unusable ? 1e12 : 1000.0;
    info->estimatedRows = 10;
    // Results come back best first: by utility (selection='utility', the default) or by
    // similarity (selection='similarity'), which is what ORDER BY ... DESC asks for. A
    // semantic-cache hit row comes first whatever its utility, so then SQLite sorts; so it
    // does when diversity (MMR) may reorder them.
    const SelectOptions& so = static_cast<Table*>(vtab)->options.select;
    const bool by_utility = so.selection == SelectionKind::kUtility;
    if (info->nOrderBy == 1 && info->aOrderBy[0].desc && diversity < 0 && so.diversity == 0 &&
        info->aOrderBy[0].iColumn == (by_utility ? kUtility : kSimilarity) &&
        !(by_utility && so.hit_similarity))
      info->orderByConsumed = 1;
    if (info->colUsed & (sqlite3_uint64{1} << kUtility)) plan |= kPlanUtilityUsed;
  } else if (match_unusable) {
    return SQLITE_CONSTRAINT;
  } else if (rowid >= 0) {
    pass(rowid, kPlanRowid);
    info->estimatedCost = 10.0;
    info->estimatedRows = 1;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
  } else {
    pass(k, kPlanK);  // k without MATCH: accept the plan so xFilter can explain the mistake
    info->estimatedCost = 1e6;
    info->estimatedRows = 1000000;
    if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == -1 && !info->aOrderBy[0].desc)
      info->orderByConsumed = 1;  // full scans go in rowid order
  }
  (void)vtab;
  info->idxNum = plan;
  return SQLITE_OK;
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
