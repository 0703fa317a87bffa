// iccache_replay('ex' [, replay_cost [, now]]): the replay queue as an eponymous
// table-valued function, and through it the view ex_replay (manage_store.cpp). Rows are the
// examples in descending expected gain (engine/manage/example_stats.h), ties by rowid; a
// replay_cost constraint keeps only rows whose expected gain exceeds it; LIMIT is pushed
// down so only the top rows are sorted. `now` (seconds since 1970, default: the clock)
// fixes the time the decayed counters are read at, for reproducible answers.
#include <chrono>
#include <cmath>
#include <optional>

#include "codec/text_codec.h"
#include "manage/replay_queue.h"
#include "ext/manage/manage_store.h"
#include "ext/table/registry.h"
#include "ext/route/route_args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

enum ReplayColumn : int {
  kRRequest = 0, kRResponse, kRQuality, kRUses, kROffloads, kRGain, kRExpectedGain,
  kRRecentUses, kRQualityEma, kRReplays, kRPrevQuality, kRReplayedAt, kRValue, kRBytes,
  kRTable, kRCost, kRNow, kRTenant, kRIdentity
};
enum ReplayPlan : int {
  kHasTable = 1, kHasCost = 2, kHasNow = 4, kHasLimit = 8, kHasTenant = 16, kHasIdentity = 32
};

constexpr const char* kDeclare =
    "CREATE TABLE x(request TEXT, response TEXT, quality REAL, uses INTEGER, offloads INTEGER,"
    " gain REAL, expected_gain REAL, recent_uses REAL, quality_ema REAL, replays INTEGER,"
    " prev_quality REAL, replayed_at REAL, value REAL, bytes INTEGER,"
    " tbl HIDDEN, replay_cost HIDDEN, now HIDDEN, tenant HIDDEN, table_identity HIDDEN)";

struct ReplayVtab : sqlite3_vtab {
  sqlite3* db;
};

struct ReplayCursor : sqlite3_vtab_cursor {
  std::vector<ReplayEntry> rows;
  size_t pos = 0;
  Stmt row;  // the current example's columns
  std::optional<double> cost;
  double now = 0;
  double half_life = 1;
};

double clock_now() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

std::string_view value_text(sqlite3_value* v) {
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, sqlite3_value_bytes(v)) : std::string_view();
}

double number_arg(sqlite3_value* v, const char* what, double lo) {
  int type = sqlite3_value_numeric_type(v);
  double d = sqlite3_value_double(v);
  if ((type != SQLITE_INTEGER && type != SQLITE_FLOAT) || !std::isfinite(d) || d < lo)
    throw Error(std::string("iccache_replay: ") + what + " " +
                (sqlite3_value_type(v) == SQLITE_NULL ? std::string("NULL")
                                                      : "'" + std::string(value_text(v)) + "'") +
                " is not valid; expected a number >= " + std::to_string(static_cast<int>(lo)));
  return d;
}

int x_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(db, kDeclare);
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);  // reads only: usable from the view
  auto* v = new (std::nothrow) ReplayVtab();
  if (!v) return SQLITE_NOMEM;
  v->db = db;
  *out = v;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* v) {
  delete static_cast<ReplayVtab*>(v);
  return SQLITE_OK;
}

// Cost model: every plan reads all examples once (O(N)); the table name is required, so a
// plan without a usable one is refused rather than chosen.
int x_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  int table = -1, cost = -1, now = -1, limit = -1, tenant = -1, identity = -1;
  bool offset = false;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.op == SQLITE_INDEX_CONSTRAINT_OFFSET) offset = true;
    if (!c.usable) {
      if (c.iColumn == kRTable && c.op == SQLITE_INDEX_CONSTRAINT_EQ) return SQLITE_CONSTRAINT;
      continue;
    }
    if (c.op == SQLITE_INDEX_CONSTRAINT_LIMIT) limit = i;
    if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (c.iColumn == kRTable) table = i;
    if (c.iColumn == kRCost) cost = i;
    if (c.iColumn == kRNow) now = i;
    if (c.iColumn == kRTenant) tenant = i;
    if (c.iColumn == kRIdentity) identity = i;
  }
  int plan = 0, argi = 0;
  auto use = [&](int i, int bit) {
    if (i < 0) return;
    plan |= bit;
    info->aConstraintUsage[i].argvIndex = ++argi;
    info->aConstraintUsage[i].omit = 1;
  };
  use(table, kHasTable);
  use(cost, kHasCost);
  use(now, kHasNow);
  use(tenant, kHasTenant);
  use(identity, kHasIdentity);
  if (!offset) use(limit, kHasLimit);  // with an OFFSET, SQLite counts the skipped rows itself
  info->idxNum = plan;
  info->estimatedCost = 1e6;
  info->estimatedRows = 1000;
  if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == kRExpectedGain && info->aOrderBy[0].desc)
    info->orderByConsumed = 1;
  return SQLITE_OK;
}

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* c = new (std::nothrow) ReplayCursor();
  if (!c) return SQLITE_NOMEM;
  *out = c;
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* c) {
  delete static_cast<ReplayCursor*>(c);
  return SQLITE_OK;
}

void load_row(ReplayCursor* c) {
  if (c->pos >= c->rows.size()) return;
  c->row.reset().bind(1, c->rows[c->pos].id);
  if (!c->row.step())
    throw SqlError(SQLITE_CORRUPT_VTAB, "iccache_replay: example " +
                                            std::to_string(c->rows[c->pos].id) + " vanished");
}

void filter(ReplayCursor* c, int plan, sqlite3_value** argv) {
  int argi = 0;
  if (!(plan & kHasTable))
    throw Error("iccache_replay: expected the name of an iccache table: iccache_replay('ex')");
  sqlite3_value* name = argv[argi++];
  ReplayVtab* vt = static_cast<ReplayVtab*>(c->pVtab);
  c->cost.reset();
  if (plan & kHasCost) c->cost = number_arg(argv[argi++], "replay_cost", 0);
  c->now = (plan & kHasNow) ? number_arg(argv[argi++], "now", 0) : clock_now();
  sqlite3_value* tenant = (plan & kHasTenant) ? argv[argi++] : nullptr;
  sqlite3_value* identity = (plan & kHasIdentity) ? argv[argi++] : nullptr;
  Table* t = find_table_by_identity(vt->db, table_name_arg(name, "iccache_replay"),
                                    identity_arg(identity), "iccache_replay");
  std::optional<size_t> limit;
  if (plan & kHasLimit) {
    int64_t n = sqlite3_value_int64(argv[argi++]);
    limit = n < 0 ? std::optional<size_t>() : std::optional<size_t>(static_cast<size_t>(n));
  }
  const StatsParams params = stats_params(t->options.manage);
  c->half_life = params.half_life;
  std::vector<ReplayEntry> entries;
  // tenant = NULL matches nothing, as in SQL and MATCH (docs/reliability.md, tenant model).
  Stmt scan(t->db, "SELECT id, gain, recent_uses, coalesce(decay_at, created_at) FROM " +
                       t->storage.shadow("data") + (tenant ? " WHERE tenant = ?" : ""));
  if (tenant) {
    if (sqlite3_value_type(tenant) == SQLITE_NULL) scan.bind_null(1);
    else scan.bind_text(1, value_text(tenant));
  }
  while (scan.step()) {
    ExampleStats s;
    s.gain = scan.real(1);
    s.recent_uses = scan.real(2);
    s.decay_at = scan.real(3);
    entries.push_back({scan.int64(0), expected_gain(s, c->now, params)});
  }
  c->rows = rank_for_replay(std::move(entries), c->cost, limit);
  c->pos = 0;
  c->row = Stmt(t->db,
                "SELECT request, request_enc, response, response_enc, quality, uses, offloads,"
                " gain, recent_uses, quality_ema, replays, prev_quality, replayed_at, value, bytes,"
                " coalesce(decay_at, created_at), tenant FROM " + t->storage.shadow("data") +
                    " WHERE id = ?");
  load_row(c);
}

template <class Fn>
int guarded_cursor(sqlite3_vtab_cursor* cur, Fn&& fn) {
  return guarded(cur->pVtab, [&] {
    fn();
    return SQLITE_OK;
  });
}

int x_filter(sqlite3_vtab_cursor* cur, int plan, const char*, int, sqlite3_value** argv) {
  return guarded_cursor(cur, [&] { filter(static_cast<ReplayCursor*>(cur), plan, argv); });
}

int x_next(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<ReplayCursor*>(cur);
  return guarded_cursor(cur, [&] {
    ++c->pos;
    load_row(c);
  });
}

int x_eof(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<ReplayCursor*>(cur);
  return c->pos >= c->rows.size() ? 1 : 0;
}

int x_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  auto* c = static_cast<ReplayCursor*>(cur);
  *rowid = c->rows[c->pos].id;
  return SQLITE_OK;
}

void result_text(sqlite3_context* ctx, const Stmt& r, int col) {
  std::string text = decode_text(static_cast<int>(r.int64(col + 1)), r.blob(col));
  sqlite3_result_text64(ctx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  auto* c = static_cast<ReplayCursor*>(cur);
  return guarded_cursor(cur, [&] {
    const Stmt& r = c->row;
    const double decay_at = r.real(15);
    switch (col) {
      case kRRequest: result_text(ctx, r, 0); break;
      case kRResponse: result_text(ctx, r, 2); break;
      case kRQuality: sqlite3_result_double(ctx, r.real(4)); break;
      case kRUses: sqlite3_result_int64(ctx, r.int64(5)); break;
      case kROffloads: sqlite3_result_int64(ctx, r.int64(6)); break;
      case kRGain: sqlite3_result_double(ctx, r.real(7)); break;
      case kRExpectedGain: sqlite3_result_double(ctx, c->rows[c->pos].expected_gain); break;
      case kRRecentUses:
        sqlite3_result_double(ctx, decay(r.real(8), decay_at, c->now, c->half_life));
        break;
      case kRQualityEma: sqlite3_result_double(ctx, r.real(9)); break;
      case kRReplays: sqlite3_result_int64(ctx, r.int64(10)); break;
      case kRPrevQuality:
        if (!r.is_null(11)) sqlite3_result_double(ctx, r.real(11));
        break;
      case kRReplayedAt:
        if (!r.is_null(12)) sqlite3_result_double(ctx, r.real(12));
        break;
      case kRValue: sqlite3_result_double(ctx, decay(r.real(13), decay_at, c->now, c->half_life)); break;
      case kRBytes: sqlite3_result_int64(ctx, r.int64(14)); break;
      case kRCost:
        if (c->cost) sqlite3_result_double(ctx, *c->cost);
        break;
      case kRNow: sqlite3_result_double(ctx, c->now); break;
      case kRTenant: sqlite3_result_text(ctx, r.text(16).data(), static_cast<int>(r.text(16).size()), SQLITE_TRANSIENT); break;
      default: break;  // tbl reads as NULL
    }
  });
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 1;
  m.xCreate = nullptr;  // eponymous only: iccache_replay(...) needs no CREATE VIRTUAL TABLE
  m.xConnect = x_connect;
  m.xBestIndex = x_best_index;
  m.xDisconnect = x_disconnect;
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

int register_replay_module(sqlite3* db) {
  static const sqlite3_module m = make_module();
  return sqlite3_create_module_v2(db, "iccache_replay", &m, nullptr, nullptr);
}

}  // namespace iccache::ext
