#include "registry.h"

#include <map>
#include <mutex>
#include <string>

#include "vtab.h"

namespace iccache::ext {

namespace {
// Keyed by connection; a connection is used by one thread at a time, but different
// connections may live on different threads, hence the lock.
std::mutex mu;
std::multimap<sqlite3*, Table*>& tables() {
  static std::multimap<sqlite3*, Table*> m;
  return m;
}

Table* lookup(sqlite3* db, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu);
  auto range = tables().equal_range(db);
  for (auto it = range.first; it != range.second; ++it)
    if (sqlite3_stricmp(it->second->name.c_str(), std::string(name).c_str()) == 0) return it->second;
  return nullptr;
}
}  // namespace

void register_table(Table* t) {
  std::lock_guard<std::mutex> lock(mu);
  tables().emplace(t->db, t);
}

void unregister_table(Table* t) {
  std::lock_guard<std::mutex> lock(mu);
  auto range = tables().equal_range(t->db);
  for (auto it = range.first; it != range.second; ++it)
    if (it->second == t) {
      tables().erase(it);
      return;
    }
}

Table* find_table(sqlite3* db, std::string_view name, std::string_view function) {
  if (Table* t = lookup(db, name)) return t;
  // Preparing any statement on the table makes SQLite connect it (xConnect registers it).
  std::string sql = "SELECT 1 FROM " + quote_id(name) + " WHERE 0";
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  sqlite3_finalize(s);
  if (Table* t = lookup(db, name)) return t;
  throw Error(std::string(function) + ": there is no iccache table named '" + std::string(name) +
              "'; expected the name of a table created with USING iccache(...)");
}

}  // namespace iccache::ext
