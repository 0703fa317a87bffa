// xUpdate: INSERT, UPDATE and DELETE of examples, and the FTS5-style commands
// (INSERT INTO ex(ex) VALUES('integrity-check')). Every value is validated before the first
// write, so bad input changes nothing; writes then go to the shadow tables first and to the
// in-memory index last.

#include "common/clock.h"
#include "privacy/pii_scanner.h"
#include "ext/table/integrity.h"
#include "ext/manage/manage_evict.h"
#include "ext/manage/manage_store.h"
#include "ext/privacy/privacy_forget.h"
#include "ext/select/select_feedback.h"
#include "table/command.h"
#include "table/example_row.h"
#include "vector/vector_parse.h"
#include "ext/table/admission_dedup.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// The rowid given to an INSERT or an UPDATE.
int64_t require_rowid(const Table* t, sqlite3_value* v) {
  return integer_arg(v, t->name + ".rowid", "", INT64_MIN, INT64_MAX, "an INTEGER");
}

bool is_null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

// The parsed, validated new state of one row.
struct NewRow {
  StoredExample stored;
  std::vector<float> vec;
};

std::vector<float> vector_value(Table* t, sqlite3_value* v) {
  const std::string what = table::column_what(t->name, kEmbedding);
  if (sqlite3_value_type(v) == SQLITE_BLOB)
    return parse_vector_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v), t->options.dim, what);
  if (sqlite3_value_type(v) == SQLITE_TEXT) return parse_vector_json(text_of(v), t->options.dim, what);
  refuse(what, "", table::vector_expected(t->options.dim), v);
}

void read_attributes(Table* t, ColumnArgs& values, StoredExample& r) {
  table::read_attributes(values, t->options, t->name, t->storage.has_privacy_columns(), wall_clock_now(), r);
}

// The request or response text of a write, after the pii option redacted or refused personal
// data (before anything is embedded or written); `buf` holds a redacted copy.
std::string_view text_to_store(Table* t, ColumnArgs& values, int col, std::string& buf) {
  std::string_view text = table::require_text(values, col, t->name);
  return scrub_for_storage(t->options.pii, text, values.what(col), &buf) ? std::string_view(buf) : text;
}

int insert(Table* t, sqlite3_value* rowid_value, sqlite3_value** col, sqlite3_int64* out_rowid) {
  NewRow row;
  ColumnArgs values(t, col);
  std::string request_scrubbed, response_scrubbed;
  const std::string_view request = text_to_store(t, values, kRequest, request_scrubbed);
  const std::string_view response = text_to_store(t, values, kResponse, response_scrubbed);
  read_attributes(t, values, row.stored);
  table::check_insert_columns(values, t->name);
  table::check_vector_given(values, t->options.dim, t->embedder != nullptr);
  row.vec = is_null(col[kEmbedding]) ? t->embed_text(request, values.what(kRequest))
                                     : vector_value(t, col[kEmbedding]);
  row.stored.request = encode_text(request);
  row.stored.response = encode_text(response);
  table::set_footprint(row.stored, t->options.dim);
  // dedup=on: one example per request, the better judged (engine/select/dedup.h).
  select::DedupAdmission dedup;
  if (t->options.select.dedup) {
    dedup = select::dedup_admission(stored_copies(*t, row.stored.tenant, row.stored.request, row.vec),
                                    row.stored.quality);
    if (dedup.keep) {
      *out_rowid = *dedup.keep;
      return SQLITE_OK;
    }
  }
  check_fits_budget(*t, row.stored.bytes);

  int64_t id = 0;
  bool has_id = !is_null(rowid_value);
  if (has_id) id = require_rowid(t, rowid_value);
  if (has_id && t->storage.exists(id)) {
    if (sqlite3_vtab_on_conflict(t->db) != SQLITE_REPLACE)
      throw SqlError(SQLITE_CONSTRAINT, t->name + ": an example with rowid " + std::to_string(id) +
                                            " already exists (use INSERT OR REPLACE to overwrite it)");
    t->delete_example(id);
  }
  for (const select::StoredCopy& c : dedup.replace)
    if (!(has_id && c.id == id)) t->delete_example(c.id);  // the same rowid went just above
  *out_rowid = t->insert_example(has_id ? &id : nullptr, row.stored, row.vec.data());
  // budget=... / tenant_budget=...: amortised knapsack eviction
  evict_after_insert(*t, *out_rowid, row.stored.tenant);
  return SQLITE_OK;
}

int update(Table* t, sqlite3_value* old_value, sqlite3_value* new_value, sqlite3_value** col) {
  int64_t old_id = sqlite3_value_int64(old_value);
  int64_t new_id = require_rowid(t, new_value);

  NewRow row;
  ColumnArgs values(t, col);
  const bool request_kept = values.unchanged(kRequest), response_kept = values.unchanged(kResponse);
  const bool vector_kept = values.unchanged(kEmbedding);
  std::string_view request, response;
  std::string request_scrubbed, response_scrubbed;  // pii option, as for INSERT
  if (!request_kept) request = text_to_store(t, values, kRequest, request_scrubbed);
  if (!response_kept) response = text_to_store(t, values, kResponse, response_scrubbed);
  read_attributes(t, values, row.stored);
  table::check_update_columns(values, t->name);
  if (!vector_kept && !is_null(col[kEmbedding])) {
    row.vec = vector_value(t, col[kEmbedding]);
  } else if (!vector_kept || (!request_kept && t->embedder)) {
    // embedding set to NULL, or new request text: the vector follows the request.
    std::string stored;
    if (request_kept) {
      EncodedText e = t->storage.stored_request(old_id);
      stored = decode_text(static_cast<int>(e.encoding), e.bytes);
    }
    row.vec = t->embed_text(request_kept ? std::string_view(stored) : request, values.what(kRequest));
  }

  if (new_id != old_id && t->storage.exists(new_id) &&
      sqlite3_vtab_on_conflict(t->db) == SQLITE_REPLACE) {
    t->delete_example(new_id);  // UPDATE OR REPLACE: the row in the way goes, as in a table
  }
  if (new_id != old_id && t->storage.exists(new_id))
    throw SqlError(SQLITE_CONSTRAINT, t->name + ": cannot change rowid " + std::to_string(old_id) +
                                          " to " + std::to_string(new_id) +
                                          ": an example with that rowid already exists");
  row.stored.request = request_kept ? t->storage.stored_request(old_id) : encode_text(request);
  row.stored.response = response_kept ? t->storage.stored_response(old_id) : encode_text(response);
  if (row.vec.empty()) row.vec = t->storage.stored_vector(old_id, t->options.dim);
  table::set_footprint(row.stored, t->options.dim);
  check_fits_budget(*t, row.stored.bytes);

  // A new response is a replay (docs/example-manager.md): remember the quality it replaces.
  const double prev_quality = response_kept ? 0 : t->manage.quality(old_id);
  t->update_example(old_id, new_id, row.stored, row.vec.data());
  if (!response_kept) t->manage.record_replay(new_id, prev_quality, wall_clock_now());
  return SQLITE_OK;
}

int remove(Table* t, sqlite3_value* id_value) {
  t->delete_example(sqlite3_value_int64(id_value));
  return SQLITE_OK;
}

// The commands (engine/table/command.h says which exist and how they read).
int command(Table* t, sqlite3_value* v, sqlite3_value** col) {
  const table::Command cmd = table::parse_command(t->name, text_of(v));
  switch (cmd.kind) {
    case table::Command::Kind::kForget: forget_command(*t, col); break;  // docs/privacy.md
    case table::Command::Kind::kIntegrityCheck: require_integrity(*t); break;
    case table::Command::Kind::kOptimize:
      t->train_index();
      if (t->lexical_on()) t->count_idf(t->storage.count());
      break;
    case table::Command::Kind::kOptimizeBackground: request_training(*t, TrainingRequest::kCommand); break;
    case table::Command::Kind::kTrain: train_utility_model(*t); break;  // select_feedback.h
    case table::Command::Kind::kNprobe: t->set_nprobe(cmd.nprobe); break;  // every index picks it up at its next query
  }
  return SQLITE_OK;
}

}  // namespace

int table_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid) {
  Table* t = static_cast<Table*>(vtab);
  return guarded(vtab, [&] {
    if (argc == 1) return remove(t, argv[0]);
    sqlite3_value** col = argv + 2;
    if (is_null(argv[0])) {
      if (!is_null(col[kTableCol])) {
        int first_value = 0;
        while (first_value < kTableCol && is_null(col[first_value])) ++first_value;
        table::check_command_alone(t->name, text_of(col[kTableCol]), first_value < kTableCol ? first_value : -1);
        return command(t, col[kTableCol], col);
      }
      return insert(t, argv[1], col, rowid);
    }
    return update(t, argv[0], argv[1], col);
  });
}

}  // namespace iccache::ext
