// Cursors: full scans and rowid lookups read T_data directly; MATCH runs the exact top-k
// search over the in-memory index and then reads each hit's row by id.
#include <optional>

#include "codec/text_codec.h"
#include "ext/select/select_match.h"
#include "table/match_args.h"
#include "vector/vector_parse.h"
#include "ext/route/route_args.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

struct Cursor : sqlite3_vtab_cursor {
  Table* table() const { return static_cast<Table*>(pVtab); }

  // Scan / lookup mode: a statement over T_data in id order.
  Stmt rows;
  std::string rows_sql;  // the SQL of `rows`, to give it back to the table's pool
  bool eof = true;
  // MATCH mode: hits in result order, and a statement reading the current one.
  bool match = false;
  std::vector<index::Hit> hits;
  std::vector<double> utility;    // per hit, empty when not computed (select_match.h)
  std::vector<uint8_t> hit_flag;  // per hit
  size_t pos = 0;
  int64_t k = 0;
  std::optional<double> min_similarity;  // the MATCH's floor, when it had one
  double diversity = 0;                  // the MATCH's MMR weight (select/mmr.h)
  int64_t generation = 0;  // of the table when the hits were chosen (load_hit)
  bool exact = true;       // the searched index reflected exactly that generation
};

// The row SELECT of every cursor statement: id, T_data's example columns (columns.h), then
// the two privacy columns.
std::string row_select(Table* t) {
  return "SELECT id, " + data_columns_sql() + t->storage.privacy_columns_sql() + " FROM " +
         t->storage.shadow("data");
}
constexpr int kUserColumn = kDataCount, kSyntheticColumn = kDataCount + 1;

// Positions a MATCH cursor's row statement on hits[pos], or on the next hit whose row still
// exists: the hits were chosen when the query started, and the caller may delete rows while
// reading them ("for each row: DELETE another"), as a full scan allows. Such a delete changes
// the generation; a hit missing while the generation is still the one searched, by an index
// that reflected exactly this connection's view, means the index lists a row that T_data
// lacks (damage), which stays an error. An index shared by the process can be ahead of a
// long read transaction's snapshot (docs/architecture.md): an id that snapshot lacks is
// skipped, never an error.
void load_hit(Cursor* c) {
  for (; c->pos < c->hits.size(); ++c->pos) {
    c->rows.reset().bind(1, c->hits[c->pos].id);
    if (c->rows.step()) {
      c->eof = false;
      return;
    }
    Table* t = c->table();
    if (c->exact && t->storage.generation() == c->generation)
      throw SqlError(SQLITE_CORRUPT_VTAB, t->name + ": example " + std::to_string(c->hits[c->pos].id) +
                                              " is in the index but not in " + t->name + "_data");
  }
  c->eof = true;
}

// Gives the cursor's previous statement back and borrows one for `sql`.
void use_statement(Cursor* c, const std::string& sql) {
  Table* t = c->table();
  t->stmts.give_back(c->rows_sql, std::move(c->rows));
  c->rows = t->stmts.borrow(sql);
  c->rows_sql = sql;
}

int filter(Cursor* c, int plan, sqlite3_value** argv) {
  Table* t = c->table();
  c->match = (plan & kPlanMatch) != 0;
  c->hits.clear();
  c->utility.clear();
  c->hit_flag.clear();
  c->pos = 0;
  c->eof = true;
  // The constraints by column, in the order the plan passed them (engine/table/plan.h).
  sqlite3_value* by_column[kColumnCount] = {};
  sqlite3_value* rowid = nullptr;
  int argi = 0;
  for (int col : table::filter_columns(plan)) (col < 0 ? rowid : by_column[col]) = argv[argi++];
  if (c->match) {
    sqlite3_value* query = by_column[kTableCol];
    ColumnArgs args(t, by_column);
    const table::MatchArgs m = table::read_match_args(args, plan, t->options.select, t->name);
    if (m.no_rows) return SQLITE_OK;
    c->k = m.k;
    const std::string tenant(m.tenant);
    const bool by_tenant = m.by_tenant;
    const int nprobe = m.nprobe;
    const std::optional<double> min_similarity = m.min_similarity;
    c->min_similarity = min_similarity;
    c->diversity = m.diversity;
    int64_t text_bytes = 0;
    std::vector<float> q = request_arg(*t, query, t->name + " MATCH", text_bytes);
    // Stage 1: candidates by similarity, from the lexical index for request text under
    // text_index='lexical', else from the IVF; stage 2: utility, threshold, order
    // (select_match.h).
    const bool lexical = t->lexical_on() && sqlite3_value_type(query) == SQLITE_TEXT;
    std::vector<index::Hit> candidates =
        stage1_candidates(*t, static_cast<int>(c->k), min_similarity, [&](int want) {
          if (lexical)
            return t->search_lexical(std::string_view(reinterpret_cast<const char*>(sqlite3_value_text(query)),
                                                      sqlite3_value_bytes(query)),
                                     want, by_tenant ? &tenant : nullptr, nprobe);
          return t->search(q.data(), want, by_tenant ? &tenant : nullptr, nprobe);
        });
    c->exact = t->search_exact;
    std::string_view text;
    if (sqlite3_value_type(query) == SQLITE_TEXT)
      text = std::string_view(reinterpret_cast<const char*>(sqlite3_value_text(query)),
                              sqlite3_value_bytes(query));
    const bool has_text = sqlite3_value_type(query) == SQLITE_TEXT;
    Selected chosen = select_examples(*t, q.data(), text, has_text, std::move(candidates),
                                      static_cast<int>(c->k), (plan & kPlanUtilityUsed) != 0, min_similarity,
                                      c->diversity);
    c->generation = t->storage.generation();
    c->hits = std::move(chosen.hits);
    c->utility = std::move(chosen.utility);
    c->hit_flag = std::move(chosen.hit_flag);
    use_statement(c, row_select(t) + " WHERE id = ?");
    load_hit(c);
    return SQLITE_OK;
  }
  table::check_scan(plan, t->name);
  std::string sql = row_select(t);
  if (plan & kPlanRowid) sql += " WHERE id = ?";
  sql += " ORDER BY id";
  use_statement(c, sql);
  if (plan & kPlanRowid) {
    sqlite3_value* v = rowid;
    const int type = sqlite3_value_numeric_type(v);
    const std::optional<int64_t> id = type == SQLITE_INTEGER ? std::optional<int64_t>(sqlite3_value_int64(v))
                                      : type == SQLITE_FLOAT ? table::rowid_of_real(sqlite3_value_double(v))
                                                             : std::nullopt;  // 'x' finds nothing
    if (!id) return SQLITE_OK;  // no such rowid
    c->rows.bind(1, *id);
  }
  c->eof = !c->rows.step();
  return SQLITE_OK;
}

void result_text(sqlite3_context* ctx, const Stmt& rows, int col) {
  std::string_view bytes = rows.blob(col);
  int enc = static_cast<int>(rows.int64(col + 1));  // its _enc column follows (columns.h)
  if (enc == static_cast<int>(TextEncoding::kRaw)) {
    sqlite3_result_text64(ctx, bytes.data(), bytes.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return;
  }
  std::string text = decode_text(enc, bytes);
  sqlite3_result_text64(ctx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace

int cursor_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* c = new (std::nothrow) Cursor();
  if (!c) return SQLITE_NOMEM;
  *out = c;
  return SQLITE_OK;
}

int cursor_close(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<Cursor*>(cur);
  c->table()->stmts.give_back(c->rows_sql, std::move(c->rows));
  delete c;
  return SQLITE_OK;
}

int cursor_filter(sqlite3_vtab_cursor* cur, int idx_num, const char*, int,
                  sqlite3_value** argv) {
  auto* c = static_cast<Cursor*>(cur);
  return guarded(cur->pVtab, [&] { return filter(c, idx_num, argv); });
}

int cursor_next(sqlite3_vtab_cursor* cur) {
  auto* c = static_cast<Cursor*>(cur);
  return guarded(cur->pVtab, [&] {
    if (c->match) {
      ++c->pos;
      load_hit(c);
    } else {
      c->eof = !c->rows.step();
    }
    return SQLITE_OK;
  });
}

int cursor_eof(sqlite3_vtab_cursor* cur) { return static_cast<Cursor*>(cur)->eof ? 1 : 0; }

int cursor_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid) {
  *rowid = static_cast<Cursor*>(cur)->rows.int64(kDataId);
  return SQLITE_OK;
}

int cursor_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  auto* c = static_cast<Cursor*>(cur);
  Table* t = c->table();
  return guarded(cur->pVtab, [&] {
    const Stmt& r = c->rows;
    // An UPDATE that leaves these columns alone need not decode them (see table_update).
    if (table::reports_unchanged(col) && sqlite3_vtab_nochange(ctx)) return SQLITE_OK;
    switch (col) {
      case kRequest: result_text(ctx, r, kDataRequest); break;
      case kResponse: result_text(ctx, r, kDataResponse); break;
      case kModel: sqlite3_result_text64(ctx, r.text(kDataModel).data(), r.text(kDataModel).size(), SQLITE_TRANSIENT, SQLITE_UTF8); break;
      case kQuality: sqlite3_result_double(ctx, r.real(kDataQuality)); break;
      case kEmbedding: {
        std::vector<float> v = t->storage.stored_vector(r.int64(kDataId), t->options.dim);
        sqlite3_result_blob64(ctx, v.data(), v.size() * sizeof(float), SQLITE_TRANSIENT);
        break;
      }
      case kTenant: sqlite3_result_text64(ctx, r.text(kDataTenant).data(), r.text(kDataTenant).size(), SQLITE_TRANSIENT, SQLITE_UTF8); break;
      case kCreatedAt: sqlite3_result_double(ctx, r.real(kDataCreatedAt)); break;
      case kUses: sqlite3_result_int64(ctx, r.int64(kDataUses)); break;
      case kOffloads: sqlite3_result_int64(ctx, r.int64(kDataOffloads)); break;
      case kGain: sqlite3_result_double(ctx, r.real(kDataGain)); break;
      case kBytes: sqlite3_result_int64(ctx, r.int64(kDataBytes)); break;
      case kUser:
        if (!r.is_null(kUserColumn))
          sqlite3_result_text64(ctx, r.text(kUserColumn).data(), r.text(kUserColumn).size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      case kSynthetic: sqlite3_result_int64(ctx, r.int64(kSyntheticColumn)); break;
      case kSimilarity:
        if (c->match) sqlite3_result_double(ctx, c->hits[c->pos].score);
        break;
      case kK:
        if (c->match) sqlite3_result_int64(ctx, c->k);
        break;
      case kUtility:
        if (c->match && c->pos < c->utility.size()) sqlite3_result_double(ctx, c->utility[c->pos]);
        break;
      case kMinSimilarity:
        if (c->match && c->min_similarity) sqlite3_result_double(ctx, *c->min_similarity);
        break;
      case kDiversity:
        if (c->match) sqlite3_result_double(ctx, c->diversity);
        break;
      case kHit:
        if (c->match) sqlite3_result_int(ctx, c->pos < c->hit_flag.size() ? c->hit_flag[c->pos] : 0);
        break;
      default: break;  // the table-named column reads as NULL
    }
    return SQLITE_OK;
  });
}

}  // namespace iccache::ext
