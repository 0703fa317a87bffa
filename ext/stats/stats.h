// iccache_stats('ex') and the ex_stats view over it: one (key, value) row per figure. Each
// component contributes its rows through a function listed in stats.cpp's kSources, so
// adding figures is writing one function and one line there.
#pragma once
#include <string>

#include "common/stat_rows.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// The sources (stats.cpp lists them, in output order).
void table_stats(Table& t, StatRows& out);   // stats.cpp: counts, bytes, options, generation
void router_stats(Table& t, StatRows& out);  // route/route_ops.cpp: load, bias, cost weight, arms
void select_stats(Table& t, StatRows& out);  // select/select_feedback.cpp: threshold, tuner, utility model
void index_stats(Table& t, StatRows& out);   // index_stats.cpp: in-memory index, change log

StatRows collect_stats(Table& t);

// SQL of the view `T_stats`, created with the table (storage.cpp).
std::string stats_view_sql(const std::string& schema, const std::string& table);

}  // namespace iccache::ext
