// Shadow tables of one iccache table `T` (FTS5 style, all in the same database file):
//   T_data(id INTEGER PRIMARY KEY, request BLOB, request_enc, response BLOB, response_enc,
//          model, quality, tenant, created_at, uses, offloads, gain, bytes,
//          + the example manager's statistics columns, see manage_store.h)
//       texts are stored through engine/codec (enc 0 = raw UTF-8 bytes, 1 = lz4)
//   T_vectors(id INTEGER PRIMARY KEY, vector BLOB)   unit float32 little-endian vectors
//   T_state(key TEXT PRIMARY KEY, value)             format version, generation nonces
// The 'generation' nonce changes with every write of examples' vectors or tenants, inside
// the writing transaction, so any rollback or another connection's commit shows up as a
// different value: the in-memory index compares it before answering and reloads when it
// differs. Other in-memory state (router, utility model) keeps its own nonce key in T_state
// the same way, so that feedback does not invalidate the vector index.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/text_codec.h"
#include "ext/sql/stmt.h"
#include "table/example_row.h"

namespace iccache::ext {

constexpr int kFormatVersion = 1;

// The shadow-table suffixes, for xShadowName.
bool is_shadow_suffix(std::string_view suffix);

// One example's stored columns (engine/table/example_row.h).
using table::StoredExample;

class Storage {
 public:
  Storage(sqlite3* db, std::string schema, std::string table);

  static void create_tables(sqlite3* db, const std::string& schema, const std::string& table);
  static void drop_tables(sqlite3* db, const std::string& schema, const std::string& table);
  static void rename_tables(sqlite3* db, const std::string& schema, const std::string& from,
                            const std::string& to);

  const std::string& table() const { return table_; }
  const std::string& schema() const { return schema_; }
  // "schema"."table_suffix"
  std::string shadow(std::string_view suffix) const;
  sqlite3* db() const { return db_; }

  int64_t generation();
  void set_generation(int64_t g);
  // Integer settings kept in T_state (e.g. 'nprobe'), with a default when absent.
  int64_t state_int(const std::string& key, int64_t fallback);
  void set_state_int(const std::string& key, int64_t value);
  void set_state_real(const std::string& key, double value);
  // Prepares the statements of state_int and set_state_int now (a table open), so that a
  // rare write of a state key (the crossing of a training threshold) prepares nothing.
  void prepare_state_statements();

  bool exists(int64_t id);
  // Inserts with the given id, or an id chosen by SQLite when id is null; returns the id.
  int64_t insert(const int64_t* id, const StoredExample& row, const float* vec, int dim);
  // Rewrites every column of an existing row (texts included) and its vector.
  void update(int64_t id, const StoredExample& row, const float* vec, int dim);
  void remove(int64_t id);
  void change_id(int64_t from, int64_t to);
  // The id an INSERT without one gets: one above the highest id ever used (never reused).
  int64_t next_id();

  // Encoded texts of an existing row (for updates that keep them).
  EncodedText stored_request(int64_t id);
  EncodedText stored_response(int64_t id);
  std::vector<float> stored_vector(int64_t id, int dim);
  int64_t count();
  // Whether T_data has the user and synthetic columns (tables created by an earlier
  // version do not; they work as before, and refuse a user or synthetic value).
  bool has_privacy_columns();
  // ", user, synthetic" or ", NULL, 0": the two columns for a row SELECT.
  const char* privacy_columns_sql();

 private:
  // The T_state 'bytes' total, kept here in the only write path of T_data's rows (no
  // triggers: SQLite refuses triggers on shadow tables in defensive mode).
  int64_t total_bytes_before_write();
  int64_t row_bytes(int64_t id);
  void set_total_bytes(int64_t total);
  EncodedText stored_text(Stmt& s, const char* column, int64_t id);
  void raise_last_id(int64_t id);
  void write_privacy(int64_t id, const StoredExample& row);
  Stmt& get_state_stmt();
  Stmt& put_state_stmt();

  sqlite3* db_;
  std::string schema_, table_;
  int privacy_columns_ = -1;  // -1 unknown, 0 absent, 1 present
  Stmt set_privacy_, get_state_, put_state_;
  Stmt get_gen_, set_gen_, exists_, ins_data_, ins_vec_, upd_data_, upd_vec_, del_data_,
      del_vec_, get_req_, get_resp_, get_vec_, count_, next_id_, raise_last_id_, get_total_, get_row_bytes_, set_total_;
};

}  // namespace iccache::ext
