// iccache_prompt('ex', :request [, k [, max_chars [, tenant [, embedding]]]]): a table-valued
// function that selects examples for a request and returns one row holding the prompt in
// both forms serving code needs (engine/prompt/few_shot.h):
//   messages     OpenAI-style chat messages JSON array (examples as user/assistant turns)
//   prompt       the few-shot completion text ("Question: ...\nAnswer: ...", ending "Answer:")
//   example_ids  JSON array of the examples used, best first (for iccache_route)
//   examples     how many examples were used
//   chars        code points of the request and the examples used (<= max_chars unless the
//                request alone is longer)
// Selection is the table's own MATCH query, run on the same connection, so the prompt always
// holds exactly the examples (and order) a `MATCH ... AND k = ?` returns.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "prompt/few_shot.h"
#include "ext/table/registry.h"
#include "ext/sql/tvf_args.h"
#include "ext/route/route_args.h"
#include "vector/vector_parse.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

constexpr const char* kFunction = "iccache_prompt";
constexpr int64_t kDefaultK = 5;
constexpr int64_t kDefaultMaxChars = 8000;
constexpr int64_t kMaxK = 4096;

enum Col { kMessages, kPrompt, kExampleIds, kExamples, kChars, kArgTable, kArgRequest, kArgK,
           kArgMaxChars, kArgTenant, kArgEmbedding, kColCount };
constexpr int kFirstArg = kArgTable, kArgCount = kColCount - kArgTable;

struct PromptVtab : sqlite3_vtab {
  sqlite3* db = nullptr;
};

struct PromptCursor : sqlite3_vtab_cursor {
  FewShotPrompt row;
  std::string ids_json;
  bool eof = true;
};

std::string_view text_of(sqlite3_value* v) {
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, sqlite3_value_bytes(v)) : std::string_view();
}

std::string column_text(sqlite3_stmt* s, int col) {
  const char* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, sqlite3_column_bytes(s, col)) : std::string();
}

int64_t int_in_range(sqlite3_value* v, const char* argument, int64_t lo, int64_t hi,
                     const char* expected) {
  if (!v || sqlite3_value_type(v) == SQLITE_NULL) return -1;
  const int64_t n = integer_arg(v, kFunction, argument);
  if (n < lo || n > hi)
    throw Error(std::string(kFunction) + ": " + argument + " must be " + expected + "; received " +
                describe(v));
  return n;
}

// The examples a MATCH returns for the query, in its order (best first).
// `vector`: the caller's embedding argument as float32 (JSON text parsed), or null: then
// `query` (request TEXT, or a BLOB vector) is what MATCH gets.
std::vector<FewShotExample> select_examples(sqlite3* db, Table& t, sqlite3_value* query,
                                            const std::vector<float>* vector, int64_t k,
                                            sqlite3_value* tenant) {
  const std::string target = quote_id(t.storage.schema()) + "." + quote_id(t.name);
  std::string sql = "SELECT rowid, request, response FROM " + target + " WHERE " +
                    quote_id(t.name) + " MATCH ?1 AND k = ?2";
  if (tenant) sql += " AND tenant = ?3";
  // Prepared per call, never kept in the table's statement pool: a kept statement on the
  // virtual table itself holds a reference to it, so closing the connection could never
  // disconnect the table (whose destructor is what finalizes the pool) and the connection
  // leaked as a zombie (LeakSanitizer, tests/sql/reliability_close_test.cpp).
  Stmt stmt(db, sql);
  sqlite3_stmt* s = stmt.get();
  if (vector)
    sqlite3_bind_blob64(s, 1, vector->data(), vector->size() * sizeof(float), SQLITE_TRANSIENT);
  else
    sqlite3_bind_value(s, 1, query);
  sqlite3_bind_int64(s, 2, k);
  if (tenant) sqlite3_bind_value(s, 3, tenant);
  std::vector<FewShotExample> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(s, 0), column_text(s, 1), column_text(s, 2)});
  if (rc != SQLITE_DONE) throw SqlError(rc, std::string(kFunction) + ": " + sqlite3_errmsg(db));
  return out;
}

int x_connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char** err) {
  int rc = sqlite3_declare_vtab(db,
      "CREATE TABLE x(messages TEXT, prompt TEXT, example_ids TEXT, examples INTEGER,"
      " chars INTEGER, tbl HIDDEN, request HIDDEN, k HIDDEN, max_chars HIDDEN, tenant HIDDEN,"
      " embedding HIDDEN)");
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: %s", kFunction, sqlite3_errmsg(db));
    return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);  // reads only
  auto* v = new PromptVtab();
  v->db = db;
  *out = v;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* v) {
  delete static_cast<PromptVtab*>(v);
  return SQLITE_OK;
}

// Arguments are equality constraints on the hidden columns, one idxNum bit each.
int x_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  return plan_hidden_args(info, kFirstArg, kArgCount, 1000, 1);
}

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new PromptCursor();
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* c) {
  delete static_cast<PromptCursor*>(c);
  return SQLITE_OK;
}

int x_filter(sqlite3_vtab_cursor* cur, int mask, const char*, int, sqlite3_value** argv) {
  auto* c = static_cast<PromptCursor*>(cur);
  auto* vt = static_cast<PromptVtab*>(cur->pVtab);
  c->eof = true;
  return guarded(cur->pVtab, [&] {
    sqlite3_value* args[kArgCount];
    unpack_hidden_args(mask, argv, args, kArgCount);
    if (!args[0] || !args[1])
      throw Error(std::string(kFunction) +
                  ": expected iccache_prompt(table, request[, k[, max_chars[, tenant[, embedding]]]])");
    Table* t = find_table(vt->db, table_name_arg(args[0], kFunction), kFunction);
    sqlite3_value* req = args[kArgRequest - kFirstArg];
    if (sqlite3_value_type(req) != SQLITE_TEXT)
      throw Error(std::string(kFunction) + ": request must be the request TEXT that the prompt "
                  "ends with; received " + describe(req));
    const std::string_view request = text_of(req);
    if (!utf8::valid(request))
      throw Error(std::string(kFunction) + ": request is not valid UTF-8 (invalid byte at offset " +
                  std::to_string(utf8::first_invalid(request)) + "); expected UTF-8 text");
    int64_t k = int_in_range(args[kArgK - kFirstArg], "k", 1, kMaxK, "an integer from 1 to 4096");
    if (k < 0) k = kDefaultK;
    int64_t max_chars = int_in_range(args[kArgMaxChars - kFirstArg], "max_chars", 0, INT64_MAX,
                                     "an integer >= 0 (0: no budget)");
    if (max_chars < 0) max_chars = kDefaultMaxChars;
    // A tenant is TEXT; NULL is refused as everywhere (docs/reliability.md, tenant model):
    // it never means every tenant. Without the argument, every tenant's examples compete.
    sqlite3_value* tenant = args[kArgTenant - kFirstArg];
    if (tenant) tenant_arg(tenant, kFunction);
    sqlite3_value* embedding = args[kArgEmbedding - kFirstArg];
    if (embedding && sqlite3_value_type(embedding) == SQLITE_NULL) embedding = nullptr;
    // A caller-supplied vector (required with embedder='none') selects; the text is the prompt.
    // This argument is a vector by definition, so JSON array text is read as one here (MATCH
    // itself reads TEXT as request text only).
    std::vector<float> json_vector;
    const bool json = embedding && sqlite3_value_type(embedding) == SQLITE_TEXT;
    if (json) json_vector = parse_json_floats(text_of(embedding), std::string(kFunction) + ": embedding");
    std::vector<FewShotExample> examples = select_examples(
        vt->db, *t, embedding ? embedding : req, json ? &json_vector : nullptr, k, tenant);
    c->row = build_few_shot(examples, request, max_chars);
    c->ids_json = example_ids_json(c->row.ids);
    c->eof = false;
    return SQLITE_OK;
  });
}

int x_next(sqlite3_vtab_cursor* cur) {
  static_cast<PromptCursor*>(cur)->eof = true;
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* cur) { return static_cast<PromptCursor*>(cur)->eof; }

int x_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
  const auto* c = static_cast<PromptCursor*>(cur);
  const FewShotPrompt& r = c->row;
  switch (col) {
    case kMessages: sqlite3_result_text64(ctx, r.messages.data(), r.messages.size(), SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case kPrompt: sqlite3_result_text64(ctx, r.text.data(), r.text.size(), SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case kExampleIds: sqlite3_result_text64(ctx, c->ids_json.data(), c->ids_json.size(), SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case kExamples: sqlite3_result_int64(ctx, static_cast<int64_t>(r.ids.size())); break;
    case kChars: sqlite3_result_int64(ctx, r.chars); break;
    default: sqlite3_result_null(ctx); break;  // argument columns read back as NULL
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor*, sqlite3_int64* rowid) {
  *rowid = 1;
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.xCreate = nullptr;  // eponymous only, like json_each
  m.xConnect = x_connect;
  m.xBestIndex = x_best_index;
  m.xDisconnect = x_disconnect;
  m.xDestroy = x_disconnect;
  m.xOpen = x_open;
  m.xClose = x_close;
  m.xFilter = x_filter;
  m.xNext = x_next;
  m.xEof = x_eof;
  m.xColumn = x_column;
  m.xRowid = x_rowid;
  return m;
}

}  // namespace

int register_prompt_function(sqlite3* db) {
  return sqlite3_create_module_v2(db, kFunction, [] {
    static const sqlite3_module m = make_module();
    return &m;
  }(), nullptr, nullptr);
}

}  // namespace iccache::ext
