// iccache_prompt('ex', :request [, k [, max_chars [, tenant [, embedding]]]]): a table-valued
// function (sql/tvf.h) that selects examples for a request and returns one row holding the
// prompt in both forms serving code needs (engine/prompt/few_shot.h):
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
#include <vector>

#include "common/id_list.h"
#include "common/utf8.h"
#include "ext/route/route_args.h"
#include "ext/sql/args.h"
#include "ext/sql/tvf.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"
#include "prompt/few_shot.h"
#include "vector/vector_parse.h"

namespace iccache::ext {

namespace {

constexpr const char* kName = "iccache_prompt";

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
  Stmt s(db, sql);
  if (vector) s.bind_blob(1, vector->data(), vector->size() * sizeof(float));
  else sqlite3_bind_value(s.get(), 1, query);
  s.bind(2, k);
  if (tenant) sqlite3_bind_value(s.get(), 3, tenant);
  // Stepped by hand: an error of the inner MATCH (a bad vector) is reported as
  // "iccache_prompt: <its message>", without the SQL text Stmt::step would add.
  std::vector<FewShotExample> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
    out.push_back({s.int64(0), std::string(s.text(1)), std::string(s.text(2))});
  if (rc != SQLITE_DONE) throw SqlError(rc, std::string("iccache_prompt") + ": " + sqlite3_errmsg(db));
  return out;
}

class PromptCursor : public OneRowCursor {
 public:
  static constexpr TvfSpec kSpec{
      kName,
      "CREATE TABLE x(messages TEXT, prompt TEXT, example_ids TEXT, examples INTEGER,"
      " chars INTEGER, tbl HIDDEN, request HIDDEN, k HIDDEN, max_chars HIDDEN, tenant HIDDEN,"
      " embedding HIDDEN)",
      2, "iccache_prompt(table, request[, k[, max_chars[, tenant[, embedding]]]])",
      SQLITE_VTAB_INNOCUOUS /* reads only */, 1000, 1};
  enum Col { kMessages, kPrompt, kExampleIds, kExamples, kChars };
  enum Arg { kTable, kRequest, kK, kMaxChars, kTenant, kEmbedding };

  void filter(sqlite3* db, sqlite3_value** args, const TvfPlan&) {
    has_row_ = false;
    Table* t = find_table(db, table_name_arg(args[kTable], kName), kName);
    const std::string_view request =
        text_arg(args[kRequest], kName, "request", "the request TEXT that the prompt ends with");
    utf8::require_valid(request, std::string(kName) + ": request");
    const int64_t k = optional_integer(args[kK], "k", 1, 4096, "an integer from 1 to 4096", kDefaultExamples);
    const int64_t max_chars = optional_integer(args[kMaxChars], "max_chars", 0, INT64_MAX,
                                               "an integer >= 0 (0: no budget)", kDefaultMaxChars);
    // A tenant is TEXT; NULL is refused as everywhere (docs/reliability.md, tenant model):
    // it never means every tenant. Without the argument, every tenant's examples compete.
    sqlite3_value* tenant = args[kTenant];
    if (tenant) tenant_arg(tenant, kName);
    sqlite3_value* embedding = args[kEmbedding];
    if (embedding && sqlite3_value_type(embedding) == SQLITE_NULL) embedding = nullptr;
    // A caller-supplied vector (required with embedder='none') selects; the text is the
    // prompt. This argument is a vector by definition, so JSON array text is read as one
    // here (MATCH itself reads TEXT as request text only).
    std::vector<float> json_vector;
    const bool json = embedding && sqlite3_value_type(embedding) == SQLITE_TEXT;
    if (json) json_vector = parse_json_floats(text_of(embedding), std::string(kName) + ": embedding");
    const std::vector<FewShotExample> examples =
        select_examples(db, *t, embedding ? embedding : args[kRequest], json ? &json_vector : nullptr,
                        k, tenant);
    row_ = build_few_shot(examples, request, max_chars);
    ids_json_ = id_list_json(row_.ids);
    has_row_ = true;
  }
  void column(sqlite3_context* ctx, int col) const {
    switch (col) {
      case kMessages: result_text(ctx, row_.messages); break;
      case kPrompt: result_text(ctx, row_.text); break;
      case kExampleIds: result_text(ctx, ids_json_); break;
      case kExamples: sqlite3_result_int64(ctx, static_cast<int64_t>(row_.ids.size())); break;
      case kChars: sqlite3_result_int64(ctx, row_.chars); break;
      default: break;  // argument columns read back as NULL
    }
  }

 private:
  static int64_t optional_integer(sqlite3_value* v, const char* argument, int64_t lo, int64_t hi,
                                  const char* expected, int64_t fallback) {
    if (!v || sqlite3_value_type(v) == SQLITE_NULL) return fallback;
    return integer_arg(v, kName, argument, lo, hi, expected);
  }
  static void result_text(sqlite3_context* ctx, const std::string& s) {
    sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }

  FewShotPrompt row_;
  std::string ids_json_;
};

}  // namespace

const sqlite3_module* prompt_module() { return TableFunction<PromptCursor>::module(); }

}  // namespace iccache::ext
