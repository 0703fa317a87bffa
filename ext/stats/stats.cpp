#include "ext/stats/stats.h"

#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
using Source = void (*)(Table&, StatRows&);
// Add a component's figures here.
constexpr Source kSources[] = {table_stats, router_stats, select_stats, index_stats};
}  // namespace

StatRows collect_stats(Table& t) {
  StatRows rows;
  for (Source s : kSources) s(t, rows);
  return rows;
}

void table_stats(Table& t, StatRows& out) {
  Stmt s(t.db, "SELECT count(*), total(bytes) FROM " + t.storage.shadow("data"));
  s.step();
  out.push_back({"examples", s.int64(0)});
  out.push_back({"bytes", static_cast<int64_t>(s.real(1))});
  option_stats(t.options, out);
  out.push_back({"generation", t.storage.generation()});
}

std::string stats_view_sql(const std::string& schema, const std::string& table) {
  // The view passes its own table's identity (registry.h): in an attached database the bare
  // name could mean a same-named table of temp or main; the unqualified T_state in a view
  // always means the view's own schema.
  return "CREATE VIEW " + quote_id(schema) + "." + quote_id(table + "_stats") +
         " AS SELECT key, value FROM iccache_stats(" + quote_literal(table) + ", (SELECT value FROM " +
         quote_id(table + "_state") + " WHERE key = 'identity'))";
}

}  // namespace iccache::ext
