#include "ext/index/lexical_idf_store.h"

namespace iccache::ext {

void IdfStore::create(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  Stmt(db, "CREATE TABLE IF NOT EXISTS " + s.shadow("idf") + "(id INTEGER PRIMARY KEY, counts BLOB NOT NULL)").run();
}

bool IdfStore::exists(sqlite3* db, const std::string& schema, const std::string& table) {
  return table_exists(db, schema, table + "_idf");
}

std::optional<std::string> IdfStore::read_counts(bool header_only, bool* in_state) {
  if (in_state) *in_state = false;
  {
    Stmt q(s_.db(), std::string("SELECT ") + (header_only ? "substr(value, 1, 4)" : "value") + " FROM " +
                        s_.shadow("state") + " WHERE key = 'lexical_idf'");
    if (q.step() && !q.is_null(0)) {
      if (in_state) *in_state = true;
      return std::string(q.blob(0));
    }
  }
  if (!exists(s_.db(), s_.schema(), s_.table())) return std::nullopt;
  Stmt q(s_.db(), std::string("SELECT ") + (header_only ? "substr(counts, 1, 4)" : "counts") + " FROM " +
                      s_.shadow("idf") + " WHERE id = 1");
  if (!q.step() || q.is_null(0)) return std::nullopt;
  return std::string(q.blob(0));
}

std::optional<std::string> IdfStore::read() { return read_counts(false); }

std::optional<std::string> IdfStore::header() { return read_counts(true); }

void IdfStore::write(std::string_view blob) {
  create(s_.db(), s_.schema(), s_.table());
  Stmt(s_.db(), "INSERT OR REPLACE INTO " + s_.shadow("idf") + "(id, counts) VALUES(1, ?)")
      .bind_blob(1, blob.data(), blob.size())
      .run();
  Stmt(s_.db(), "DELETE FROM " + s_.shadow("state") + " WHERE key = 'lexical_idf'").run();
}

bool IdfStore::migrate() {
  bool in_state = false;
  std::optional<std::string> blob = read_counts(false, &in_state);
  if (!blob || !in_state) return false;
  write(*blob);
  return true;
}

}  // namespace iccache::ext
