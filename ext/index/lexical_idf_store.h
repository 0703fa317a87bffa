// Where a table's lexical IDF counts (lexical/idf.h, serialized) are kept: T_idf, a rowid
// table of one row (id 1), instead of the T_state row 'lexical_idf' of earlier versions.
//
// Why a table of its own: T_state is a WITHOUT ROWID table, and every write seeks it
// several times ('generation', 'bytes', 'lexical_n'); a seek that compares its key against
// a cell too large for its page makes SQLite read that whole cell (the IDF counts, ~300 KB
// at 50k examples) into memory, about a tenth of an INSERT's time. In a rowid table the
// BLOB sits in overflow pages that only a read of that column touches.
//
// Files written before T_idf keep their counts in T_state until their first write, which
// moves them (same bytes, so no index reloads; inside the write's transaction, so a
// rollback keeps the old layout, which reads the same). Readers look in T_state first:
// a row there is either an older file's or one a previous version wrote after the move,
// and is then the newer of the two.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "ext/store/storage.h"

namespace iccache::ext {

class IdfStore {
 public:
  explicit IdfStore(const Storage& s) : s_(s) {}

  static void create(sqlite3* db, const std::string& schema, const std::string& table);
  static bool exists(sqlite3* db, const std::string& schema, const std::string& table);

  // The stored counts, or none (never counted).
  std::optional<std::string> read();
  // Their first 4 bytes ("IDF2"), without reading the rest.
  std::optional<std::string> header();
  // Stores `blob` in T_idf (made if the file predates it) and drops a T_state row.
  void write(std::string_view blob);
  // Moves counts an earlier version left in T_state into T_idf; true if it moved any.
  bool migrate();

 private:
  std::optional<std::string> read_counts(bool header_only, bool* in_state = nullptr);
  const Storage& s_;
};

}  // namespace iccache::ext
