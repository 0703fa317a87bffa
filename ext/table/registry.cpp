#include "ext/table/registry.h"

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ext/table/vtab.h"

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

// One identifier of a possibly qualified name: "quoted" (with "" inside), `quoted`,
// [bracketed], or bare up to the next '.'. Returns false when the text is not one.
bool parse_part(std::string_view s, size_t& i, std::string& out) {
  out.clear();
  if (i >= s.size()) return false;
  const char open = s[i];
  if (open == '"' || open == '`' || open == '[') {
    const char close = open == '[' ? ']' : open;
    for (++i; i < s.size(); ++i) {
      if (s[i] != close) {
        out += s[i];
      } else if (close != ']' && i + 1 < s.size() && s[i + 1] == close) {
        out += close;
        ++i;
      } else {
        ++i;
        return !out.empty();
      }
    }
    return false;  // unterminated
  }
  while (i < s.size() && s[i] != '.') out += s[i++];
  return !out.empty();
}

struct Name {
  std::string schema;  // empty: resolve as SQL does
  std::string table;
};

// The ways `text` may be read, most specific first: "schema.table" when it parses so, then
// the whole text as one table name (a table may be called "a.b").
std::vector<Name> readings(std::string_view text) {
  std::vector<Name> out;
  size_t i = 0;
  std::string first, second;
  if (parse_part(text, i, first)) {
    if (i == text.size()) {
      out.push_back({"", first});
    } else if (text[i] == '.') {
      ++i;
      if (parse_part(text, i, second) && i == text.size()) out.push_back({first, second});
    }
  }
  if (out.empty() || !out[0].schema.empty()) out.push_back({"", std::string(text)});
  return out;
}

enum class Probe { kNoTable, kOtherTable, kFound };

// Prepares (and steps, so that a changed schema is re-read) a statement on the name, and
// reports the iccache table object SQLite planned it on.
Probe probe(sqlite3* db, const Name& n, Table** out) {
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

std::string shown(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return out;
}

}  // namespace

void note_planned(Table* t) {
  std::lock_guard<std::mutex> lock(probes_mutex);
  auto it = probes().find(t->db);
  if (it != probes().end()) it->second = t;
}

Table* find_table(sqlite3* db, std::string_view name, std::string_view function) {
  const std::string f(function);
  if (name.empty())
    throw Error(f + ": the table name is empty; expected the name of a table created with USING"
                    " iccache(...), such as 'ex' or 'main.ex'");
  if (name.find('\0') != std::string_view::npos)
    throw Error(f + ": the table name '" + shown(name) +
                "' holds a NUL byte; expected the name of a table created with USING iccache(...)");
  bool other = false;
  for (const Name& n : readings(name)) {
    Table* t = nullptr;
    switch (probe(db, n, &t)) {
      case Probe::kFound: return t;
      case Probe::kOtherTable: other = true; break;
      case Probe::kNoTable: break;
    }
    if (other) break;  // SQL found a table by that name: it is not ours
  }
  if (other)
    throw Error(f + ": '" + std::string(name) +
                "' is not an iccache table; expected the name of a table created with USING"
                " iccache(...)");
  throw Error(f + ": there is no iccache table named '" + std::string(name) +
              "'; expected the name of a table created with USING iccache(...)");
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
  throw Error(std::string(function) + ": there is no iccache table named '" + std::string(name) +
              "' with identity " + std::to_string(*identity) +
              " in any attached database; expected the table this view was created for");
}

}  // namespace iccache::ext
