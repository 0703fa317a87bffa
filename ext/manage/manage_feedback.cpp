// iccache_example_feedback('ex', example_ids, model, reward [, time [, tenant]]) (functions.h),
// example feedback without the router, for serving code that routes by itself (or replays
// logged outcomes) but wants the example manager's statistics, replay queue and eviction
// value all the same; and apply_example_feedback (example_feedback.h).
#include "ext/manage/example_feedback.h"

#include <cmath>

#include "common/clock.h"
#include "ext/functions.h"
#include "ext/route/route_args.h"
#include "ext/select/select_feedback.h"
#include "ext/sql/args.h"
#include "ext/sql/write_txn.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

int64_t apply_example_feedback(Table& t, const manage::FeedbackEvent& event) {
  const std::vector<int64_t> updated = manage::apply_example_feedback(t.manage, t.name, t.options, event);
  select_examples_changed(t, updated);  // selection caches uses and offloads
  return static_cast<int64_t>(updated.size());
}

void example_feedback_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_example_feedback";
    Table* t = find_table(db, table_name_arg(argv[0], f), f);
    manage::FeedbackEvent event;
    event.example_ids = id_list_arg(argv[1], f, "example_ids");
    const std::string expected_model = "one of " + t->options.model_list();
    event.served_model = text_arg(argv[2], f, "model", expected_model);
    if (t->options.model_index(event.served_model) < 0) refuse(f, "model", expected_model, argv[2]);
    event.reward = number_arg(argv[3], f, "reward", 0, 1, "a number from 0 to 1");
    if (argc >= 6)  // tenant model: only that tenant's examples may be credited
      require_tenant_examples(*t, event.example_ids, tenant_arg(argv[5], f), f, "example_ids");
    event.time = argc >= 5 && sqlite3_value_type(argv[4]) != SQLITE_NULL
                     ? number_arg(argv[4], f, "time", 0, HUGE_VAL,
                                  "seconds since 1970 (a number >= 0)")
                     : wall_clock_now();
    const int64_t n =
        in_write_transaction(db, f, [&] { return apply_example_feedback(*t, event); });
    sqlite3_result_int64(ctx, n);
  });
}

}  // namespace iccache::ext
