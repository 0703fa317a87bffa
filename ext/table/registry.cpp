#include "ext/table/registry.h"

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ext/table/vtab.h"
#include "table/table_name.h"

namespace iccache::ext {

namespace {

// The probes in progress, by connection: the table object each was planned on (nullptr
// until xBestIndex reports one). A connection is used by one thread at a time and preparing
// is synchronous, so one slot per connection suffices. Not thread_local: dynamic TLS in a
// module that sqlite3_close later unloads (dlclose) leaves stale DTV entries that crash
// LeakSanitizer's exit-time scan (clang 14: "Tracer caught signal 11", "DTLS ... at 0x809").
// A plain static object: its destructor runs when the module is unloaded (a heap object
// reachable only from the unloaded module would be reported as a leak).
std::mutex probes_mutex;
std::unordered_map<sqlite3*, Table*> probe_slots;
std::unordered_map<sqlite3*, Table*>& probes() { return probe_slots; }

enum class Probe { kNoTable, kOtherTable, kFound };

// Prepares (and steps, so that a changed schema is re-read) a statement on the name, and
// reports the iccache table object SQLite planned it on.
Probe probe(sqlite3* db, const table::TableName& n, Table** out) {
  const std::string target = (n.schema.empty() ? "" : quote_id(n.schema) + ".") + quote_id(n.table);
  const std::string sql = "SELECT rowid FROM " + target + " WHERE 0";
  {
    std::lock_guard<std::mutex> lock(probes_mutex);
    probes()[db] = nullptr;
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
  }
  sqlite3_finalize(s);
  Table* t = nullptr;
  {
    std::lock_guard<std::mutex> lock(probes_mutex);
    auto it = probes().find(db);
    t = it->second;
    probes().erase(it);
  }
  // A failed step (the table vanished when the schema was re-read) may have freed the
  // object planned on at prepare time: only a statement that ran to its end vouches for it.
  if (rc != SQLITE_DONE) return Probe::kNoTable;
  if (!t) return Probe::kOtherTable;
  *out = t;
  return Probe::kFound;
}

}  // namespace

void note_planned(Table* t) {
  std::lock_guard<std::mutex> lock(probes_mutex);
  auto it = probes().find(t->db);
  if (it != probes().end()) it->second = t;
}

Table* find_table(sqlite3* db, std::string_view name, std::string_view function) {
  table::check_table_name(name, function);
  for (const table::TableName& n : table::name_readings(name)) {
    Table* t = nullptr;
    switch (probe(db, n, &t)) {
      case Probe::kFound: return t;
      case Probe::kOtherTable: throw table::not_an_iccache_table(name, function);  // SQL found one: not ours
      case Probe::kNoTable: break;
    }
  }
  throw table::no_iccache_table(name, function);
}

std::optional<int64_t> identity_arg(sqlite3_value* v) {
  if (!v || sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  return sqlite3_value_int64(v);
}

Table* find_table_by_identity(sqlite3* db, std::string_view name,
                              std::optional<int64_t> identity, std::string_view function) {
  if (!identity) return find_table(db, name, function);
  // The schemas in SQL's search order (temp, main, then attached in order).
  std::vector<std::string> schemas;
  {
    Stmt list(db, "SELECT name FROM pragma_database_list ORDER BY seq = 1 DESC, seq");
    while (list.step()) schemas.emplace_back(list.text(0));
  }
  for (const std::string& schema : schemas) {
    sqlite3_stmt* s = nullptr;
    const std::string sql = "SELECT value FROM " + quote_id(schema) + "." +
                            quote_id(std::string(name) + "_state") + " WHERE key = 'identity'";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      continue;
    }
    const bool match = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
                       sqlite3_column_int64(s, 0) == *identity;
    sqlite3_finalize(s);
    if (match) return find_table(db, quote_id(schema) + "." + quote_id(name), function);
  }
  throw table::no_table_with_identity(name, *identity, function);
}

}  // namespace iccache::ext
