// iccache_route('ex', :request, :example_ids_json [, :at [, :tenant]]): a table-valued
// function (sql/tvf.h) that routes one request and returns one row: decision, model,
// score, load, explore, want_feedback, shadow.
#include <vector>

#include "common/clock.h"
#include "ext/route/route_args.h"
#include "ext/route/route_ops.h"
#include "ext/sql/args.h"
#include "ext/sql/tvf.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

constexpr const char* kName = "iccache_route";

class RouteCursor : public OneRowCursor {
 public:
  // It writes the decision log (SQLITE_VTAB_DIRECTONLY): never from a trigger or a view of
  // an untrusted schema.
  static constexpr TvfSpec kSpec{
      kName,
      "CREATE TABLE x(decision INTEGER, model TEXT, score REAL, load REAL, explore INTEGER,"
      " want_feedback INTEGER, shadow TEXT, show_ids TEXT, tbl HIDDEN, request HIDDEN,"
      " example_ids HIDDEN, at HIDDEN, tenant HIDDEN)",
      2, "iccache_route(table, request[, example_ids_json[, at[, tenant]]])",
      SQLITE_VTAB_DIRECTONLY, 10, 1};
  enum Col { kDecision, kModel, kScore, kLoad, kExplore, kWantFeedback, kShadow, kShowIds };

  void filter(sqlite3* db, sqlite3_value** args, const TvfPlan&) {
    has_row_ = false;
    Table* t = find_table(db, table_name_arg(args[0], kName), kName);
    int64_t bytes = 0;
    std::vector<float> request = request_arg(*t, args[1], std::string(kName) + " request", bytes);
    std::vector<int64_t> ids = args[2] ? id_list_arg(args[2], kName, "example_ids_json")
                                       : std::vector<int64_t>{};
    // With a tenant, the examples shown must all be that tenant's (tenant model,
    // docs/reliability.md); the decision then credits only them.
    if (args[4])
      require_tenant_examples(*t, ids, tenant_arg(args[4], kName), kName, "example_ids_json");
    double at = wall_clock_now();
    if (args[3] && sqlite3_value_type(args[3]) != SQLITE_NULL)
      at = number_arg(args[3], kName, "at", 0, 1e11, "a time in seconds since 1970 (a number >= 0)");
    // With TEXT that was embedded (bytes > 0), selection also reads the words themselves.
    const std::string_view text = bytes > 0 ? text_of(args[1]) : std::string_view();
    row_ = route_request(*t, request, bytes, ids, at, text);
    has_row_ = true;
  }
  void column(sqlite3_context* ctx, int col) const {
    switch (col) {
      case kDecision: sqlite3_result_int64(ctx, row_.decision); break;
      case kModel: sqlite3_result_text(ctx, row_.model.c_str(), -1, SQLITE_TRANSIENT); break;
      case kScore: sqlite3_result_double(ctx, row_.score); break;
      case kLoad: sqlite3_result_double(ctx, row_.load); break;
      case kExplore: sqlite3_result_int(ctx, row_.explore); break;
      case kWantFeedback: sqlite3_result_int(ctx, row_.want_feedback); break;
      case kShadow:
        if (!row_.shadow.empty()) sqlite3_result_text(ctx, row_.shadow.c_str(), -1, SQLITE_TRANSIENT);
        break;
      case kShowIds: sqlite3_result_text(ctx, row_.show_ids.c_str(), -1, SQLITE_TRANSIENT); break;
      default: break;  // argument columns read back as NULL
    }
  }

 private:
  route::RouteResult row_;
};

}  // namespace

const sqlite3_module* route_module() { return TableFunction<RouteCursor>::module(); }

}  // namespace iccache::ext
