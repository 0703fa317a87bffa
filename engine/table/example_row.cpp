#include "table/example_row.h"

#include "common/error.h"
#include "common/footprint.h"
#include "table/columns.h"
#include "table/request_embedding.h"

namespace iccache::table {

namespace {
// Columns a query reads or gives, which no row stores.
constexpr int kQueryColumns[] = {kSimilarity, kK, kNprobe, kUtility, kHit, kMinSimilarity, kDiversity};
}  // namespace

std::string column_what(std::string_view table, int col) { return std::string(table) + "." + column_name(col); }

std::string_view require_text(ColumnValues& v, int col, std::string_view table) {
  std::string_view s = v.text(col, "TEXT");
  require_utf8(s, column_what(table, col));
  return s;
}

void read_attributes(ColumnValues& v, const TableOptions& o, std::string_view table, bool privacy_columns,
                     double now, StoredExample& r) {
  if (v.is_null(kModel)) {
    r.model = o.default_model();
  } else {
    std::string_view m = require_text(v, kModel, table);
    if (o.model_index(m) < 0)
      throw Error(column_what(table, kModel) + ": unknown model '" + std::string(m) + "'; expected one of " +
                  o.model_list());
    r.model = m;
  }
  r.quality = v.is_null(kQuality) ? 0.5 : v.number(kQuality, 0, 1, "a number from 0 to 1");
  r.tenant = v.is_null(kTenant) ? std::string() : std::string(require_text(v, kTenant, table));
  r.created_at = v.is_null(kCreatedAt)
                     ? now
                     : v.number(kCreatedAt, 0, 1e12, "a time in seconds since 1970 (a number >= 0)");
  r.uses = v.is_null(kUses) ? 0 : v.integer(kUses, 0, INT64_MAX, "an integer >= 0");
  r.offloads = v.is_null(kOffloads) ? 0 : v.integer(kOffloads, 0, INT64_MAX, "an integer >= 0");
  r.gain = v.is_null(kGain) ? 0 : v.number(kGain, 0, 1e300, "a number >= 0");
  // Privacy columns (docs/privacy.md).
  r.user.reset();
  if (!v.is_null(kUser)) r.user = std::string(require_text(v, kUser, table));
  r.synthetic = !v.is_null(kSynthetic) && v.integer(kSynthetic, 0, 1, "0 or 1") == 1;
  if ((r.user || r.synthetic) && !privacy_columns) {
    const std::string t(table);
    throw Error(t + ": this table was created by an earlier version of iccache, whose " + t +
                "_data has no user and synthetic columns; expected NULL for " + (r.user ? "user" : "synthetic") +
                " (or a table created by this version)");
  }
}

void check_insert_columns(ColumnValues& v, std::string_view table) {
  if (!v.is_null(kBytes)) v.refuse(kBytes, "NULL (iccache computes it)");
  for (int c : kQueryColumns)
    if (!v.is_null(c)) throw Error(column_what(table, c) + ": is a query column and cannot be stored; expected NULL");
}

void check_update_columns(ColumnValues& v, std::string_view table) {
  if (!v.unchanged(kBytes)) throw Error(column_what(table, kBytes) + ": is computed by iccache and cannot be set");
  for (int c : kQueryColumns)
    if (!v.unchanged(c)) throw Error(column_what(table, c) + ": is a query column and cannot be stored");
}

bool reports_unchanged(int col) {
  if (col == kRequest || col == kResponse || col == kEmbedding || col == kBytes) return true;
  for (int c : kQueryColumns)
    if (col == c) return true;
  return false;
}

std::string vector_expected(int dim) {
  return "a float32 BLOB or a JSON array of " + std::to_string(dim) + " numbers";
}

void check_vector_given(ColumnValues& v, int dim, bool has_embedder) {
  if (v.is_null(kEmbedding) && !has_embedder)
    v.refuse(kEmbedding,
             vector_expected(dim) + " (the table has embedder='none', so every example needs its vector)");
}

void set_footprint(StoredExample& r, int dim) {
  r.bytes = example_bytes(r.request.bytes.size(), r.response.bytes.size(), r.model.size(), r.tenant.size(), dim);
}

}  // namespace iccache::table
