// The iccache virtual table: one instance per connection and table. In-memory state is a
// cache of the shadow tables (see storage.h), checked against the generation nonce and
// brought up to date from the change log (change_log.h).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "embed/hash_embedder.h"
#include "index/assigner.h"
#include "index/ivf_index.h"
#include "ext/store/change_log.h"
#include "index/index_cache.h"
#include "index/shared_registry.h"
#include "lexical/lexical_cache.h"
#include "ext/index/index_store.h"
#include "ext/index/index_trainer.h"
#include "ext/manage/manage_store.h"
#include "options/table_options.h"
#include "table/column_values.h"
#include "table/example_row.h"
#include "table/plan.h"
#include "ext/sql/args.h"
#include "ext/sql/guard.h"
#include "ext/store/columns.h"
#include "ext/store/storage.h"

namespace iccache::route {
class RouteState;  // engine/route/route_state.h
}
namespace iccache::select {
class SelectState;  // engine/select/select_state.h
}

namespace iccache::ext {

struct Table : sqlite3_vtab {
  Table(sqlite3* db, const std::string& schema, const std::string& name, TableOptions opts);

  sqlite3* db;
  std::string name;
  TableOptions options;
  Storage storage;
  IndexStore index_store;
  ManageStore manage;  // the example manager's statistics columns
  ChangeLog log;
  std::unique_ptr<HashEmbedder> embedder;  // null when embedder='none'
  // Router cache (engine/route/route_state.h), made on first use (ext/route/route_ops.h);
  // shared_ptr so this header needs only the forward declaration.
  std::shared_ptr<iccache::route::RouteState> route;
  // Utility model and threshold tuner cache (engine/select/select_state.h), made on first
  // use (ext/select/select_feedback.h).
  std::shared_ptr<iccache::select::SelectState> select;
  // The in-memory index this connection searches (engine/index/index_cache.h;
  // common/cache_choice.h says which cache serves which transaction state).
  std::shared_ptr<index::IndexCache> cache;
  bool cache_resolved = false;  // looked up in the process-wide registry yet
  bool cache_shared = false;    // cache is the process-wide one (file databases)
  std::optional<index::SharedTable> shared;  // the process-wide state, for file databases
  // Training state and progress (index_trainer.h): the process-wide one of the file and
  // table, or this connection's own for in-memory and temp databases.
  std::shared_ptr<TrainingStatus> training;
  // A private full index while inside a write transaction the shared one cannot serve
  // (training inside it, too many own changes); handed to the shared cache after commit.
  std::shared_ptr<index::IndexCache> own;
  index::IndexOverlay overlay;
  // The lexical index MATCH with text searches under text_index='lexical' (null otherwise;
  // lexical_table.cpp): the process-wide one for file databases (lexical_shared), else
  // this connection's own; the overlay and private index of a write transaction, as for
  // the vector index; and the featurizer of this connection's texts.
  std::shared_ptr<lexical::LexicalCache> lexical;
  bool lexical_shared = false;
  std::shared_ptr<lexical::LexicalCache> lexical_own;
  lexical::LexicalOverlay lexical_overlay;
  lexical::Featurizer featurizer;
  // The training writes place new rows with (engine/index/assigner.h).
  index::Assigner assigner;
  // The generation the last search ran under (the utility attributes' cache key).
  std::optional<int64_t> searched_generation;
  // Whether the index of the last search reflected exactly that generation (then an id
  // without a row is damage; otherwise the index was ahead of this snapshot).
  bool search_exact = true;
  StmtPool stmts;  // cursor statements for reuse
  std::mt19937_64 nonce_rng;

  // Records a write: a new random generation in the state table and a change-log entry.
  Change record_change(ChangeKind kind, int64_t id, int64_t n_delta);

  // Writes of one example to every shadow table. `vec` is a unit vector.
  int64_t insert_example(const int64_t* id, const StoredExample& row, const float* vec);
  void update_example(int64_t old_id, int64_t new_id, const StoredExample& row, const float* vec);
  // Deletes one example from every shadow table (DELETE, REPLACE, eviction).
  void delete_example(int64_t id);

  // Trains the IVF index at K = round(sqrt(N)) lists and reassigns every example, now,
  // inside the caller's transaction ('optimize', forget; index_trainer.h). Automatic
  // training (N reaches ivf_min, then 4x the last trained N) runs in the background.
  void train_index();
  // The process-wide state of this file and table (nullopt for in-memory and temp
  // databases), and the training status in use (index_trainer.h).
  const std::optional<index::SharedTable>& shared_state();
  std::shared_ptr<TrainingStatus> training_status();
  // Takes an index built by a training of this connection (index_trainer.cpp): used for
  // the rest of the transaction, handed to the shared index after commit.
  void adopt_trained(std::shared_ptr<index::IndexCache> built);
  // nprobe for queries without an nprobe constraint: the 'nprobe=N' command, else the option,
  // else the tuned value (engine/index/training_policy.h effective_nprobe).
  int effective_nprobe();
  // Top-k search with the current nprobe (or `nprobe_override` when > 0).
  std::vector<index::Hit> search(const float* q, int k, const std::string* tenant, int nprobe_override);
  // Lexical index (lexical_table.cpp). Whether MATCH with text uses it; top-k of request
  // text by TF-IDF cosine (nprobe > 0: at least that many postings lists read whole, so
  // nprobe >= the query's terms is the exhaustive form); IDF counts taken now for n
  // examples ('optimize'), or when n has moved far from the last count (writes).
  bool lexical_on() const;
  std::vector<index::Hit> search_lexical(std::string_view text, int k, const std::string* tenant, int nprobe);
  void count_idf(int64_t n);
  void maybe_count_idf(int64_t n);

  // Sets nprobe for queries without one ('nprobe=N' command).
  void set_nprobe(int n);

  // Embeds request text with the table's embedder; for a query (MATCH, iccache_route) under
  // the table's pii option (engine/table/request_embedding.h).
  std::vector<float> embed_text(std::string_view text, const std::string& what);
  std::vector<float> embed_query(std::string_view text, const std::string& what);

 private:
  // table_index.cpp
  struct IndexSql;  // the rows the engine's index follower reads (index/index_follower.h)
  void resolve_cache();
  std::optional<index::SharedTable> find_shared_state();
  void ensure_assigner();
  void put_index_row(int64_t id, const float* vec, std::string_view tenant);
  void maybe_train(int64_t n);
  // training='on-use': a search of the IVF (over n examples) marks it used and, when
  // training is due, asks for one (never inside this statement).
  void note_ivf_search(int64_t n);
  bool fetch_vector(int64_t id, float* out);
  Stmt row_stmt_, vec_stmt_;
  int row_stmt_slot_ = -1;  // the rows table (index_store.h) row_stmt_ reads
  // lexical_table.cpp
  struct LexicalSql;  // the texts the engine's lexical follower reads (lexical/lexical_follower.h)
  Stmt lex_row_stmt_, idf_n_stmt_;
  bool idf_terms_current_ = false;  // the stored IDF counts were seen to be of this featurizer
  std::vector<lexical::Term> query_terms_;
};

// The values of the table's columns in one statement (engine/table/column_values.h): an
// INSERT or UPDATE's argv + 2, or the constraints xFilter received, by column (null when
// absent); read with the sql/args.h readers, <where> being "ex.quality".
class ColumnArgs final : public table::ColumnValues {
 public:
  ColumnArgs(const Table* t, sqlite3_value** by_column) : t_(t), col_(by_column) {}
  bool is_null(int c) override { return sqlite3_value_type(col_[c]) == SQLITE_NULL; }
  bool unchanged(int c) override { return sqlite3_value_nochange(col_[c]); }
  std::string_view text(int c, std::string_view expected) override { return text_arg(col_[c], what(c), "", expected); }
  std::string_view as_text(int c) override { return text_of(col_[c]); }
  double number(int c, double lo, double hi, std::string_view expected) override {
    return number_arg(col_[c], what(c), "", lo, hi, expected);
  }
  int64_t integer(int c, int64_t lo, int64_t hi, std::string_view expected) override {
    return integer_arg(col_[c], what(c), "", lo, hi, expected);
  }
  [[noreturn]] void refuse(int c, std::string_view expected) override { ext::refuse(what(c), "", expected, col_[c]); }
  std::string what(int c) const { return table::column_what(t_->name, c); }

 private:
  const Table* t_;
  sqlite3_value** col_;
};

// xUpdate and the commands (vtab_write.cpp).
int table_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid);

// Cursor methods (vtab_cursor.cpp).
int cursor_open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out);
int cursor_close(sqlite3_vtab_cursor* cur);
int cursor_filter(sqlite3_vtab_cursor* cur, int idx_num, const char* idx_str, int argc,
                  sqlite3_value** argv);
int cursor_next(sqlite3_vtab_cursor* cur);
int cursor_eof(sqlite3_vtab_cursor* cur);
int cursor_column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col);
int cursor_rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* rowid);

}  // namespace iccache::ext
