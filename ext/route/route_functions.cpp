// Scalar SQL functions of routing (functions.h):
//   iccache_feedback('ex', decision, reward [, arm [, tenant]])  reward in [0, 1] of the
//                                              served arm or, naming it, of the decision's
//                                              shadow arm; NULL
//   iccache_load('ex' [, requests_per_second]) sets (NULL: back to measured) and/or returns
//                                              the load routing uses
//   iccache_calibrate('ex', share [, window])  sets and returns the cost weight
#include <optional>

#include "common/clock.h"
#include "ext/functions.h"
#include "ext/route/route_ops.h"
#include "ext/sql/args.h"
#include "ext/sql/write_txn.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
Table& table_of(sqlite3_context* ctx, sqlite3_value* name, const char* function) {
  return *find_table(sqlite3_context_db_handle(ctx), table_name_arg(name, function), function);
}
}  // namespace

void feedback_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_feedback";
    const int64_t decision = integer_arg(argv[1], f, "decision", INT64_MIN, INT64_MAX, "an integer");
    const double reward = number_arg(argv[2], f, "reward", 0, 1, "a number from 0 to 1");
    std::string arm;
    if (argc > 3 && sqlite3_value_type(argv[3]) != SQLITE_NULL)
      arm = text_arg(argv[3], f, "arm", "the name of the served or the shadow arm (TEXT)");
    std::optional<std::string> tenant;
    if (argc > 4) tenant = tenant_arg(argv[4], f);
    Table& t = table_of(ctx, argv[0], f);
    // The arm update reads the router state: read and write under one lock (write_txn.h).
    in_write_transaction(t.db, f, [&] {
      give_feedback(t, decision, reward, arm, tenant ? &*tenant : nullptr);
      return 0;
    });
    sqlite3_result_null(ctx);
  });
}

void load_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_load";
    if (argc == 1) {
      sqlite3_result_double(ctx, route_state(table_of(ctx, argv[0], f)).current_load(wall_clock_now()));
      return;
    }
    std::optional<double> rps;
    if (sqlite3_value_type(argv[1]) != SQLITE_NULL)
      rps = number_arg(argv[1], f, "requests_per_second", 0, 1e12,
                       "a number of requests per second >= 0 (or NULL to measure it again)");
    Table& t = table_of(ctx, argv[0], f);
    sqlite3_result_double(ctx, in_write_transaction(t.db, f, [&] {
      return route::set_manual_load(route_state(t), rps, wall_clock_now());
    }));
  });
}

void calibrate_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_calibrate";
    const double share = number_arg(argv[1], f, "share", 0, 1, "a number from 0 to 1");
    const int64_t window =
        argc > 2 ? integer_arg(argv[2], f, "window", 1, INT64_MAX, "an integer >= 1") : 1000;
    Table& t = table_of(ctx, argv[0], f);
    sqlite3_result_double(ctx, in_write_transaction(t.db, f, [&] {
      return route::calibrate(route_state(t), share, window);
    }));
  });
}

}  // namespace iccache::ext
