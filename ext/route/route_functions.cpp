// Scalar SQL functions of routing:
//   iccache_feedback('ex', decision, reward [, arm])  reward in [0, 1] of the served arm or,
//                                              naming it, of the decision's shadow arm; NULL
//   iccache_load('ex' [, requests_per_second]) sets (NULL: back to measured) and/or returns
//                                              the load routing uses
//   iccache_calibrate('ex', share [, window])  sets and returns the cost weight
// and the registration of everything routing adds to a connection.
#include <optional>

#include "ext/table/registry.h"
#include "ext/route/route_args.h"
#include "ext/route/route_ops.h"
#include "ext/table/vtab.h"
#include "ext/sql/write_txn.h"

namespace iccache::ext {

const sqlite3_module* route_module();

namespace {

template <class Fn>
void sql_guarded(sqlite3_context* ctx, Fn&& fn) {
  try {
    fn();
  } catch (const SqlError& e) {
    sqlite3_result_error(ctx, e.what(), -1);
    sqlite3_result_error_code(ctx, e.rc());
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

Table& table_of(sqlite3_context* ctx, sqlite3_value* name, const char* function) {
  return *find_table(sqlite3_context_db_handle(ctx), table_name_arg(name, function), function);
}

void feedback(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sql_guarded(ctx, [&] {
    constexpr const char* f = "iccache_feedback";
    const int64_t decision = integer_arg(argv[1], f, "decision");
    const double reward = number_arg(argv[2], f, "reward", 0, 1, "a number from 0 to 1");
    std::string arm;
    if (argc > 3 && sqlite3_value_type(argv[3]) != SQLITE_NULL) {
      if (sqlite3_value_type(argv[3]) != SQLITE_TEXT)
        throw Error(std::string(f) + ": arm must be the name of the served or the shadow arm (TEXT); received " +
                    describe(argv[3]));
      arm.assign(reinterpret_cast<const char*>(sqlite3_value_text(argv[3])), sqlite3_value_bytes(argv[3]));
    }
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

void load(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sql_guarded(ctx, [&] {
    constexpr const char* f = "iccache_load";
    if (argc == 1) {
      Table& t = table_of(ctx, argv[0], f);
      sqlite3_result_double(ctx, current_load(t));
      return;
    }
    std::optional<double> rps;
    if (sqlite3_value_type(argv[1]) != SQLITE_NULL)
      rps = number_arg(argv[1], f, "requests_per_second", 0, 1e12,
                       "a number of requests per second >= 0 (or NULL to measure it again)");
    Table& t = table_of(ctx, argv[0], f);
    sqlite3_result_double(ctx, in_write_transaction(t.db, f, [&] { return set_manual_load(t, rps); }));
  });
}

void calibrate_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sql_guarded(ctx, [&] {
    constexpr const char* f = "iccache_calibrate";
    const double share = number_arg(argv[1], f, "share", 0, 1, "a number from 0 to 1");
    int64_t window = 1000;
    if (argc > 2) {
      window = integer_arg(argv[2], f, "window");
      if (window < 1) throw Error(std::string(f) + ": window must be an integer >= 1; received " + describe(argv[2]));
    }
    Table& t = table_of(ctx, argv[0], f);
    sqlite3_result_double(ctx, in_write_transaction(t.db, f, [&] { return calibrate(t, share, window); }));
  });
}

}  // namespace

int register_route_functions(sqlite3* db) {
  // They write the router's shadow tables: direct use only (no triggers, no views).
  const int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  int rc = sqlite3_create_module_v2(db, "iccache_route", route_module(), nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_feedback", 3, flags, nullptr, feedback, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_feedback", 4, flags, nullptr, feedback, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_feedback", 5, flags, nullptr, feedback, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_load", 1, flags, nullptr, load, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_load", 2, flags, nullptr, load, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_calibrate", 2, flags, nullptr, calibrate_fn, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "iccache_calibrate", 3, flags, nullptr, calibrate_fn, nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace iccache::ext
