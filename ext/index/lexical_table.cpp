// The glue of the lexical index of a table with text_index='lexical' (docs/selection.md,
// "Lexical similarity"; engine/lexical/lexical_follower.h says how it follows the tables
// and which index answers): the texts and IDF counts it reads, with SQL
// (Table::LexicalSql), the counts writes store, and the MATCH entry point.
//
// The IDF counts are kept in T_idf (lexical_idf_store.h) with the example count they were
// taken at (T_state 'lexical_n'). A write recounts when the count has moved far from it
// (maybe_count_idf), inside its transaction, and appends a kIdf entry: every index then
// reloads. A rollback takes the counts and the entry back together.
#include "ext/index/lexical_idf_store.h"
#include "ext/table/vtab.h"
#include "lexical/lexical_follower.h"
#include "privacy/pii_scanner.h"

namespace iccache::ext {

// What the engine's follower reads: the request texts of T_data and the counts of T_idf,
// as of this connection's view.
struct Table::LexicalSql : lexical::LexicalSource {
  explicit LexicalSql(Table& table) : t(table) {}
  Table& t;

  ChangeFeed& log() override { return t.log; }
  std::optional<std::string> idf_counts() override { return IdfStore(t.storage).read(); }
  int64_t examples() override { return t.storage.count(); }
  void for_each_request(
      const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) override {
    Stmt s(t.db, "SELECT id, request, request_enc, tenant FROM " + t.storage.shadow("data") + " ORDER BY id");
    while (s.step()) fn(s.int64(0), static_cast<int>(s.int64(2)), s.blob(1), s.text(3));
  }
  std::vector<lexical::StoredRequest> requests(const std::vector<int64_t>& ids) override {
    Stmt& s = t.lex_row_stmt_;
    if (!s) s = Stmt(t.db, "SELECT request, request_enc, tenant FROM " + t.storage.shadow("data") + " WHERE id = ?");
    return rows_by_id<lexical::StoredRequest>(s, ids, [&](lexical::StoredRequest& r) {
      r.bytes = s.blob(0);
      r.enc = static_cast<int>(s.int64(1));
      r.tenant = s.text(2);
    });
  }
};

bool Table::lexical_on() const { return options.text_index == TextIndex::kLexical; }

void Table::count_idf(int64_t n) {
  LexicalSql texts(*this);
  IdfStore(storage).write(lexical::LexicalFollower(texts, featurizer, name).count_idf(n).serialize());
  storage.set_state_int("lexical_n", n);
  record_change(ChangeKind::kIdf, 0, 0);
}

void Table::maybe_count_idf(int64_t n) {
  if (!lexical_on()) return;
  if (!idf_n_stmt_)
    idf_n_stmt_ = Stmt(db, "SELECT value FROM " + storage.shadow("state") + " WHERE key = 'lexical_n'");
  idf_n_stmt_.reset();
  int64_t counted = idf_n_stmt_.step() ? idf_n_stmt_.int64(0) : 0;
  idf_n_stmt_.reset();
  // Counts of another featurizer version are taken again now; counts an earlier version
  // left in T_state move to T_idf (lexical_idf_store.h). Checked until both hold, then no
  // more in this connection.
  if (!idf_terms_current_) {
    IdfStore store(storage);
    const std::optional<std::string> header = store.header();
    idf_terms_current_ = header && *header == "IDF" + std::to_string(lexical::Featurizer::kVersion);
    if (!idf_terms_current_) counted = 0;
    else store.migrate();
  }
  if (lexical::idf_count_due(counted, n)) count_idf(n);
}

std::vector<index::Hit> Table::search_lexical(std::string_view text, int k, const std::string* tenant, int nprobe) {
  resolve_cache();
  const int64_t g = storage.generation();
  searched_generation = g;
  // As embed_query: under pii='redact' or 'reject' the query is redacted first, so it is
  // matched as a stored example holding it would have been.
  std::string redacted;
  if (options.pii != PiiMode::kOff && redact_pii(text, &redacted)) text = redacted;
  featurizer.terms(text, query_terms_);
  LexicalSql texts(*this);
  return lexical::LexicalFollower(texts, featurizer, name)
      .search({*lexical, lexical_shared, lexical_own, lexical_overlay}, g,
              sqlite3_txn_state(db, storage.schema().c_str()) == SQLITE_TXN_WRITE, query_terms_, k, tenant, nprobe,
              search_exact);
}

}  // namespace iccache::ext
