// iccache_stats('ex'): a table-valued function returning (key, value) rows collected from
// every component (stats.h). Read only, so it may appear in views (ex_stats is one).
#include "ext/table/registry.h"
#include "ext/sql/tvf_args.h"
#include "ext/route/route_args.h"
#include "ext/stats/stats.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

constexpr const char* kFunction = "iccache_stats";
enum Col { kKey, kValue, kArgTable, kArgIdentity };

struct StatsVtab : sqlite3_vtab {
  sqlite3* db = nullptr;
};

struct StatsCursor : sqlite3_vtab_cursor {
  StatRows rows;
  size_t pos = 0;
};

int x_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char** err) {
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(key TEXT, value, tbl HIDDEN, table_identity HIDDEN)");
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: %s", kFunction, sqlite3_errmsg(db));
    return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  auto* v = new StatsVtab();
  v->db = db;
  *out = v;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* v) {
  delete static_cast<StatsVtab*>(v);
  return SQLITE_OK;
}

int x_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  return plan_hidden_args(info, kArgTable, 2, 100, 30);  // idxNum bit 0: the table, 1: identity
}

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new StatsCursor();
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* c) {
  delete static_cast<StatsCursor*>(c);
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* cur, int mask, const char*, int, sqlite3_value** argv) {
  auto* c = static_cast<StatsCursor*>(cur);
  c->rows.clear();
  c->pos = 0;
  return guarded(cur->pVtab, [&] {
    sqlite3_value* args[2];
    unpack_hidden_args(mask, argv, args, 2);
    if (!args[0]) throw Error(std::string(kFunction) + ": expected iccache_stats(table)");
    auto* vt = static_cast<StatsVtab*>(cur->pVtab);
    c->rows = collect_stats(*find_table_by_identity(vt->db, table_name_arg(args[0], kFunction),
                                                    identity_arg(args[1]), kFunction));
    return SQLITE_OK;
  });
}

int x_next(sqlite3_vtab_cursor* cur) {
  ++static_cast<StatsCursor*>(cur)->pos;
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<StatsCursor*>(cur);
  return c->pos >= c->rows.size();
}

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  const StatRow& r = static_cast<StatsCursor*>(cur)->rows[static_cast<StatsCursor*>(cur)->pos];
  if (col == kKey) {
    sqlite3_result_text(ctx, r.key.c_str(), -1, SQLITE_TRANSIENT);
  } else if (col == kValue) {
    if (auto* i = std::get_if<int64_t>(&r.value)) sqlite3_result_int64(ctx, *i);
    else if (auto* d = std::get_if<double>(&r.value)) sqlite3_result_double(ctx, *d);
    else if (auto* s = std::get_if<std::string>(&r.value)) sqlite3_result_text(ctx, s->c_str(), -1, SQLITE_TRANSIENT);
    else sqlite3_result_null(ctx);
  } else {
    sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(static_cast<StatsCursor*>(cur)->pos) + 1;
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.xConnect = x_connect;
  m.xBestIndex = x_best_index;
  m.xDisconnect = x_disconnect;
  m.xDestroy = x_disconnect;
  m.xOpen = x_open;
  m.xClose = x_close;
  m.xFilter = x_filter;
  m.xNext = x_next;
  m.xEof = x_eof;
  m.xColumn = x_column;
  m.xRowid = x_rowid;
  return m;
}

}  // namespace

int register_stats_function(sqlite3* db) {
  static const sqlite3_module m = make_module();
  return sqlite3_create_module_v2(db, "iccache_stats", &m, nullptr, nullptr);
}

}  // namespace iccache::ext
