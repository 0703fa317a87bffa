#include "ext/manage/manage_feedback.h"

#include <chrono>
#include <cmath>

#include "ext/manage/manage_sql.h"
#include "ext/table/registry.h"
#include "ext/route/route_args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

std::string_view arg_text(sqlite3_value* v) {
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, sqlite3_value_bytes(v)) : std::string_view();
}

std::string shown(sqlite3_value* v) {
  return sqlite3_value_type(v) == SQLITE_NULL ? "NULL" : "'" + std::string(arg_text(v)) + "'";
}

// The example ids: a JSON array of integers, read with SQLite's own JSON parser.
std::vector<int64_t> ids_arg(sqlite3* db, sqlite3_value* v) {
  const std::string expected = "; expected a JSON array of example rowids such as '[3, 7]'";
  if (sqlite3_value_type(v) != SQLITE_TEXT)
    throw Error("iccache_example_feedback: example ids " + shown(v) + " are not valid" + expected);
  Stmt s(db, "SELECT json_type(?1), (SELECT count(*) FROM json_each(?1) WHERE type <> 'integer')");
  s.bind_text(1, arg_text(v));
  bool ok = false;
  try {
    ok = s.step() && s.text(0) == "array" && s.int64(1) == 0;
  } catch (const SqlError&) {  // malformed JSON
  }
  if (!ok)
    throw Error("iccache_example_feedback: example ids " + shown(v) + " are not valid" + expected);
  std::vector<int64_t> ids;
  Stmt each(db, "SELECT value FROM json_each(?1)");
  each.bind_text(1, arg_text(v));
  while (each.step()) ids.push_back(each.int64(0));
  return ids;
}

double number_arg(sqlite3_value* v, const char* what, const char* expected) {
  int type = sqlite3_value_numeric_type(v);
  if (type != SQLITE_INTEGER && type != SQLITE_FLOAT)
    throw Error(std::string("iccache_example_feedback: ") + what + " " + shown(v) +
                " is not valid; expected " + expected);
  return sqlite3_value_double(v);
}

void example_feedback_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  guarded_function(ctx, [&] {
    Table* t = find_table(db, table_name_arg(argv[0], "iccache_example_feedback"),
                          "iccache_example_feedback");
    FeedbackEvent event;
    event.example_ids = ids_arg(db, argv[1]);
    if (sqlite3_value_type(argv[2]) != SQLITE_TEXT)
      throw Error("iccache_example_feedback: model " + shown(argv[2]) +
                  " is not valid; expected one of " + t->options.model_list());
    event.served_model = arg_text(argv[2]);
    event.reward = number_arg(argv[3], "reward", "a number from 0 to 1");
    if (argc >= 6)  // tenant model: only that tenant's examples may be credited
      require_tenant_examples(*t, event.example_ids, tenant_arg(argv[5], "iccache_example_feedback"),
                              "iccache_example_feedback", "the example ids");
    if (argc >= 5 && sqlite3_value_type(argv[4]) != SQLITE_NULL) {
      event.time = number_arg(argv[4], "time", "seconds since 1970 (a number >= 0)");
    } else {
      using namespace std::chrono;
      event.time = duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
    }
    const int64_t n = in_manage_savepoint(db, "iccache_example_feedback",
                                          [&] { return apply_example_feedback(*t, event); });
    sqlite3_result_int64(ctx, n);
  });
}

}  // namespace

int register_example_feedback_function(sqlite3* db) {
  for (int n : {4, 5, 6}) {
    int rc = sqlite3_create_function_v2(db, "iccache_example_feedback", n,
                                        SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr,
                                        example_feedback_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace iccache::ext
