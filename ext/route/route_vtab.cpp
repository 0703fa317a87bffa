// iccache_route('ex', :request, :example_ids_json [, :at]): a table-valued function (an
// eponymous-only virtual table with hidden argument columns, like json_each) that routes one
// request and returns one row: decision, model, score, load, explore, want_feedback, shadow.
#include <cstring>
#include <vector>

#include "ext/table/registry.h"
#include "ext/sql/tvf_args.h"
#include "ext/route/route_args.h"
#include "ext/route/route_ops.h"
#include "ext/route/route_state.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

constexpr const char* kFunction = "iccache_route";
enum Col { kDecision, kModel, kScore, kLoad, kExplore, kWantFeedback, kShadow, kArgTable, kArgRequest,
           kArgExamples, kArgAt, kArgTenant, kColCount };
constexpr int kFirstArg = kArgTable, kArgCount = kColCount - kArgTable;

struct RouteVtab : sqlite3_vtab {
  sqlite3* db = nullptr;
};

struct RouteCursor : sqlite3_vtab_cursor {
  RouteResult row;
  bool eof = true;
};

int x_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char** err) {
  int rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(decision INTEGER, model TEXT, score REAL, load REAL, explore INTEGER,"
      " want_feedback INTEGER, shadow TEXT, tbl HIDDEN, request HIDDEN, example_ids HIDDEN, at HIDDEN,"
      " tenant HIDDEN)");
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: %s", kFunction, sqlite3_errmsg(db));
    return rc;
  }
  // It writes the decision log: never from a trigger or a view of an untrusted schema.
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  auto* v = new RouteVtab();
  v->db = db;
  *out = v;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* v) {
  delete static_cast<RouteVtab*>(v);
  return SQLITE_OK;
}

// Arguments arrive as equality constraints on the hidden columns; idxNum has one bit per
// argument present, and they are passed to xFilter in column order.
int x_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  return plan_hidden_args(info, kFirstArg, kArgCount, 10, 1);
}

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new RouteCursor();
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* c) {
  delete static_cast<RouteCursor*>(c);
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* cur, int mask, const char*, int, sqlite3_value** argv) {
  auto* c = static_cast<RouteCursor*>(cur);
  auto* vt = static_cast<RouteVtab*>(cur->pVtab);
  c->eof = true;
  return guarded(cur->pVtab, [&] {
    sqlite3_value* args[kArgCount];
    unpack_hidden_args(mask, argv, args, kArgCount);
    if (!args[0] || !args[1])
      throw Error(std::string(kFunction) +
                  ": expected iccache_route(table, request[, example_ids_json[, at[, tenant]]])");
    Table* t = find_table(vt->db, table_name_arg(args[0], kFunction), kFunction);
    int64_t bytes = 0;
    std::vector<float> request = request_arg(*t, args[1], kFunction, bytes);
    std::vector<int64_t> ids = args[2] ? example_ids_arg(args[2], kFunction) : std::vector<int64_t>{};
    // With a tenant, the examples shown must all be that tenant's (tenant model,
    // docs/reliability.md); the decision then credits only them.
    if (args[4]) require_tenant_examples(*t, ids, tenant_arg(args[4], kFunction), kFunction, "example_ids_json");
    double at = wall_clock_now();
    if (args[3] && sqlite3_value_type(args[3]) != SQLITE_NULL)
      at = number_arg(args[3], kFunction, "at", 0, 1e11, "a time in seconds since 1970 (a number >= 0)");
    // With TEXT that was embedded (bytes > 0), selection also reads the words themselves.
    std::string_view text;
    if (bytes > 0)
      text = std::string_view(reinterpret_cast<const char*>(sqlite3_value_text(args[1])),
                              sqlite3_value_bytes(args[1]));
    c->row = route_request(*t, request, bytes, ids, at, text);
    c->eof = false;
    return SQLITE_OK;
  });
}

int x_next(sqlite3_vtab_cursor* cur) {
  static_cast<RouteCursor*>(cur)->eof = true;
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* cur) { return static_cast<RouteCursor*>(cur)->eof; }

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  const RouteResult& r = static_cast<RouteCursor*>(cur)->row;
  switch (col) {
    case kDecision: sqlite3_result_int64(ctx, r.decision); break;
    case kModel: sqlite3_result_text(ctx, r.model.c_str(), -1, SQLITE_TRANSIENT); break;
    case kScore: sqlite3_result_double(ctx, r.score); break;
    case kLoad: sqlite3_result_double(ctx, r.load); break;
    case kExplore: sqlite3_result_int(ctx, r.explore); break;
    case kWantFeedback: sqlite3_result_int(ctx, r.want_feedback); break;
    case kShadow:
      if (!r.shadow.empty()) sqlite3_result_text(ctx, r.shadow.c_str(), -1, SQLITE_TRANSIENT);
      else sqlite3_result_null(ctx);
      break;
    default: sqlite3_result_null(ctx); break;  // argument columns read back as NULL
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor*, sqlite3_int64* rowid) {
  *rowid = 1;
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous only: no CREATE VIRTUAL TABLE ... USING iccache_route
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

const sqlite3_module* route_module() {
  static const sqlite3_module m = make_module();
  return &m;
}

}  // namespace iccache::ext
