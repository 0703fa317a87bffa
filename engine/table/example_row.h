// One example's row of the iccache table: its stored form, and the rules of an INSERT or
// UPDATE that writes one (which columns can be set, the defaults of NULLs, ranges, the error
// wording). ext/table/vtab_write.cpp reads the values through ColumnValues and does the writes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec/text_codec.h"
#include "options/table_options.h"
#include "table/column_values.h"

namespace iccache::table {

// One example's stored columns, texts already encoded.
struct StoredExample {
  EncodedText request;
  EncodedText response;
  std::string model;
  double quality = 0.5;
  std::string tenant;
  double created_at = 0;
  int64_t uses = 0;
  int64_t offloads = 0;
  double gain = 0;
  int64_t bytes = 0;
  // Privacy columns (docs/privacy.md); tables created before them have neither, see
  // ext Storage::has_privacy_columns.
  std::optional<std::string> user;
  bool synthetic = false;
};

// The error prefix of column col of table `table`: "ex.quality".
std::string column_what(std::string_view table, int col);

// TEXT that is valid UTF-8 (the texts, model, tenant and user columns).
std::string_view require_text(ColumnValues& v, int col, std::string_view table);

// The non-text columns shared by INSERT and UPDATE into r, with the defaults of NULLs
// (the default model, quality 0.5, tenant '', created_at `now`, counts 0). `privacy_columns`:
// whether the table stores user and synthetic (tables of earlier versions refuse them).
void read_attributes(ColumnValues& v, const TableOptions& o, std::string_view table, bool privacy_columns,
                     double now, StoredExample& r);

// The computed column (bytes) and the query columns (similarity, k, ...) are never stored:
// an INSERT gives them NULL, an UPDATE leaves them unchanged.
void check_insert_columns(ColumnValues& v, std::string_view table);
void check_update_columns(ColumnValues& v, std::string_view table);

// The columns an UPDATE may leave undecoded (texts, vector) or must be seen not to set
// (computed and query columns): xColumn reports "unchanged" for them when SQLite asks.
bool reports_unchanged(int col);

// What the embedding column takes; an INSERT without a vector needs an embedder.
std::string vector_expected(int dim);
void check_vector_given(ColumnValues& v, int dim, bool has_embedder);

// The bytes column of r (common/footprint.h), from its encoded texts and names.
void set_footprint(StoredExample& r, int dim);

}  // namespace iccache::table
