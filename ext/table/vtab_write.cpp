// xUpdate: INSERT, UPDATE and DELETE of examples, and the FTS5-style commands
// (INSERT INTO ex(ex) VALUES('integrity-check')). Every value is validated before the first
// write, so bad input changes nothing; writes then go to the shadow tables first and to the
// in-memory index last.
#include <cmath>
#include <cstring>

#include "common/clock.h"
#include "common/footprint.h"
#include "common/utf8.h"
#include "index/training_policy.h"
#include "privacy/pii_scanner.h"
#include "ext/table/integrity.h"
#include "ext/manage/manage_evict.h"
#include "ext/manage/manage_store.h"
#include "ext/privacy/privacy_forget.h"
#include "ext/select/select_feedback.h"
#include "vector/vector_parse.h"
#include "ext/table/admission_dedup.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// "ex.quality": where a column's errors come from (the sql/args.h readers' <where>).
std::string col_what(const Table* t, int col) { return t->name + "." + column_name(col); }

// TEXT that is valid UTF-8.
std::string_view require_text(const Table* t, sqlite3_value* v, int col) {
  std::string_view s = text_arg(v, col_what(t, col), "", "TEXT");
  size_t bad = utf8::first_invalid(s);
  if (bad != s.size())
    throw Error(col_what(t, col) + ": the text is not valid UTF-8 (invalid byte at offset " +
                std::to_string(bad) + "); expected UTF-8 text");
  return s;
}

// A value of column col: a finite number in [lo, hi], or (count) an integer >= 0.
double require_real(const Table* t, sqlite3_value* v, int col, double lo, double hi,
                    const char* expected) {
  return number_arg(v, col_what(t, col), "", lo, hi, expected);
}
int64_t require_count(const Table* t, sqlite3_value* v, int col) {
  return integer_arg(v, col_what(t, col), "", 0, INT64_MAX, "an integer >= 0");
}
// The rowid given to an INSERT or an UPDATE.
int64_t require_rowid(const Table* t, sqlite3_value* v) {
  return integer_arg(v, t->name + ".rowid", "", INT64_MIN, INT64_MAX, "an INTEGER");
}

bool is_null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

// The parsed, validated new state of one row. `col` = argv + 2 (column values).
struct NewRow {
  StoredExample stored;
  std::vector<float> vec;
};

std::string vector_expected(const Table* t) {
  return "a float32 BLOB or a JSON array of " + std::to_string(t->options.dim) + " numbers";
}

std::vector<float> vector_value(Table* t, sqlite3_value* v) {
  const std::string what = col_what(t, kEmbedding);
  if (sqlite3_value_type(v) == SQLITE_BLOB)
    return parse_vector_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v), t->options.dim, what);
  if (sqlite3_value_type(v) == SQLITE_TEXT) return parse_vector_json(text_of(v), t->options.dim, what);
  refuse(what, "", vector_expected(t), v);
}

// Validates the non-text columns shared by INSERT and UPDATE, applying defaults for NULLs.
void read_attributes(Table* t, sqlite3_value** col, StoredExample& r) {
  if (is_null(col[kModel])) {
    r.model = t->options.default_model();
  } else {
    std::string_view m = require_text(t, col[kModel], kModel);
    if (t->options.model_index(m) < 0)
      throw Error(col_what(t, kModel) + ": unknown model '" + std::string(m) +
                  "'; expected one of " + t->options.model_list());
    r.model = m;
  }
  r.quality = is_null(col[kQuality]) ? 0.5
              : require_real(t, col[kQuality], kQuality, 0, 1, "a number from 0 to 1");
  r.tenant = is_null(col[kTenant]) ? std::string() : std::string(require_text(t, col[kTenant], kTenant));
  r.created_at = is_null(col[kCreatedAt]) ? wall_clock_now()
                 : require_real(t, col[kCreatedAt], kCreatedAt, 0, 1e12,
                                "a time in seconds since 1970 (a number >= 0)");
  r.uses = is_null(col[kUses]) ? 0 : require_count(t, col[kUses], kUses);
  r.offloads = is_null(col[kOffloads]) ? 0 : require_count(t, col[kOffloads], kOffloads);
  r.gain = is_null(col[kGain]) ? 0
           : require_real(t, col[kGain], kGain, 0, 1e300, "a number >= 0");
  // Privacy columns (docs/privacy.md).
  r.user.reset();
  if (!is_null(col[kUser])) r.user = std::string(require_text(t, col[kUser], kUser));
  r.synthetic = false;
  if (!is_null(col[kSynthetic]))
    r.synthetic = integer_arg(col[kSynthetic], col_what(t, kSynthetic), "", 0, 1, "0 or 1") == 1;
  if ((r.user || r.synthetic) && !t->storage.has_privacy_columns())
    throw Error(t->name + ": this table was created by an earlier version of iccache, whose " +
                t->name + "_data has no user and synthetic columns; expected NULL for " +
                (r.user ? "user" : "synthetic") + " (or a table created by this version)");
}

void finish_bytes(const Table* t, StoredExample& r) {
  r.bytes = example_bytes(r.request.bytes.size(), r.response.bytes.size(), r.model.size(),
                          r.tenant.size(), t->options.dim);
}

int insert(Table* t, sqlite3_value* rowid_value, sqlite3_value** col, sqlite3_int64* out_rowid) {
  NewRow row;
  std::string_view request = require_text(t, col[kRequest], kRequest);
  std::string_view response = require_text(t, col[kResponse], kResponse);
  // pii option: redact or refuse personal data before anything is embedded or written.
  std::string request_scrubbed, response_scrubbed;
  if (scrub_for_storage(t->options.pii, request, col_what(t, kRequest), &request_scrubbed))
    request = request_scrubbed;
  if (scrub_for_storage(t->options.pii, response, col_what(t, kResponse), &response_scrubbed))
    response = response_scrubbed;
  read_attributes(t, col, row.stored);
  if (!is_null(col[kBytes]))
    refuse(col_what(t, kBytes), "", "NULL (iccache computes it)", col[kBytes]);
  for (int c : {kSimilarity, kK, kNprobe, kUtility, kHit, kMinSimilarity, kDiversity})
    if (!is_null(col[c]))
      throw Error(col_what(t, c) + ": is a query column and cannot be stored; expected NULL");
  if (is_null(col[kEmbedding]) && !t->embedder)
    refuse(col_what(t, kEmbedding), "",
           vector_expected(t) + " (the table has embedder='none', so every example needs its vector)",
           col[kEmbedding]);
  row.vec = is_null(col[kEmbedding]) ? t->embed_text(request, col_what(t, kRequest))
                                     : vector_value(t, col[kEmbedding]);
  row.stored.request = encode_text(request);
  row.stored.response = encode_text(response);
  finish_bytes(t, row.stored);
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
  bool request_kept = sqlite3_value_nochange(col[kRequest]);
  bool response_kept = sqlite3_value_nochange(col[kResponse]);
  bool vector_kept = sqlite3_value_nochange(col[kEmbedding]);
  std::string_view request, response;
  if (!request_kept) request = require_text(t, col[kRequest], kRequest);
  if (!response_kept) response = require_text(t, col[kResponse], kResponse);
  std::string request_scrubbed, response_scrubbed;  // pii option, as for INSERT
  if (!request_kept &&
      scrub_for_storage(t->options.pii, request, col_what(t, kRequest), &request_scrubbed))
    request = request_scrubbed;
  if (!response_kept &&
      scrub_for_storage(t->options.pii, response, col_what(t, kResponse), &response_scrubbed))
    response = response_scrubbed;
  read_attributes(t, col, row.stored);
  for (int c : {kBytes, kSimilarity, kK, kNprobe, kUtility, kHit, kMinSimilarity, kDiversity})
    if (!sqlite3_value_nochange(col[c]))
      throw Error(col_what(t, c) + (c == kBytes ? ": is computed by iccache and cannot be set"
                                                : ": is a query column and cannot be stored"));
  if (!vector_kept && !is_null(col[kEmbedding])) {
    row.vec = vector_value(t, col[kEmbedding]);
  } else if (!vector_kept || (!request_kept && t->embedder)) {
    // embedding set to NULL, or new request text: the vector follows the request.
    std::string stored;
    if (request_kept) {
      EncodedText e = t->storage.stored_request(old_id);
      stored = decode_text(static_cast<int>(e.encoding), e.bytes);
    }
    row.vec = t->embed_text(request_kept ? std::string_view(stored) : request,
                            col_what(t, kRequest));
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
  finish_bytes(t, row.stored);
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

int command(Table* t, sqlite3_value* v, sqlite3_value** col) {
  std::string_view cmd = text_of(v);
  if (cmd == "forget") {  // docs/privacy.md
    forget_command(*t, col);
    return SQLITE_OK;
  }
  if (cmd == "integrity-check") {
    require_integrity(*t);
    return SQLITE_OK;
  }
  if (cmd == "optimize") {
    t->train_index();
    if (t->lexical_on()) t->count_idf(t->storage.count());
    return SQLITE_OK;
  }
  if (cmd == "optimize-background") {  // the IVF training of 'optimize', off the request path
    request_training(*t, TrainingRequest::kCommand);
    return SQLITE_OK;
  }
  if (cmd == "train") {  // refit the utility model from the feedback log (select_feedback.h)
    train_utility_model(*t);
    return SQLITE_OK;
  }
  if (cmd.substr(0, 7) == "nprobe=") {
    const std::optional<int> n = index::parse_nprobe_command(cmd.substr(7));
    if (!n)
      throw Error(t->name + ": command '" + std::string(cmd) +
                  "' is not valid; expected nprobe=N with N an integer from 1 to " + std::to_string(kMaxNprobe));
    t->set_nprobe(*n);  // every index picks it up at its next query
    return SQLITE_OK;
  }
  throw Error(t->name + ": unknown command '" + std::string(cmd) +
              "'; expected one of: integrity-check, optimize, optimize-background, train, nprobe=N, forget");
}

}  // namespace

int table_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid) {
  Table* t = static_cast<Table*>(vtab);
  return guarded(vtab, [&] {
    if (argc == 1) return remove(t, argv[0]);
    sqlite3_value** col = argv + 2;
    if (is_null(argv[0])) {
      if (!is_null(col[kTableCol])) {
        // A command travels alone: INSERT INTO ex(ex, request, ...) would run it and drop the
        // row. 'forget' carries its tenant and/or user, and checks its own columns.
        if (text_of(col[kTableCol]) != "forget")
          for (int c = 0; c < kTableCol; ++c)
            if (!is_null(col[c]))
              throw Error(t->name + ": a command in the " + t->name + " column cannot come with a value"
                          " for " + column_name(c) + "; expected INSERT INTO " + t->name + "(" + t->name +
                          ") VALUES('command') alone, and rows in an INSERT of their own");
        return command(t, col[kTableCol], col);
      }
      return insert(t, argv[1], col, rowid);
    }
    return update(t, argv[0], argv[1], col);
  });
}

}  // namespace iccache::ext
