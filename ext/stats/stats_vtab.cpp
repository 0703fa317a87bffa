// iccache_stats('ex'): a table-valued function (sql/tvf.h) returning (key, value) rows
// collected from every component (stats.h). Read only, so it may appear in views (ex_stats
// is one).
#include "ext/sql/args.h"
#include "ext/sql/tvf.h"
#include "ext/stats/stats.h"
#include "ext/table/registry.h"

namespace iccache::ext {

namespace {

constexpr const char* kName = "iccache_stats";

class StatsCursor {
 public:
  // Arguments: the table, its identity (registry.h).
  static constexpr TvfSpec kSpec{kName, "CREATE TABLE x(key TEXT, value, tbl HIDDEN, table_identity HIDDEN)",
                                 1, "iccache_stats(table)", SQLITE_VTAB_INNOCUOUS, 100, 30};
  enum Col { kKey, kValue };

  void filter(sqlite3* db, sqlite3_value** args, const TvfPlan&) {
    rows_.clear();
    pos_ = 0;
    rows_ = collect_stats(
        *find_table_by_identity(db, table_name_arg(args[0], kName), identity_arg(args[1]), kName));
  }
  void next() { ++pos_; }
  bool eof() const { return pos_ >= rows_.size(); }
  int64_t rowid() const { return static_cast<int64_t>(pos_) + 1; }
  void column(sqlite3_context* ctx, int col) const {
    const StatRow& r = rows_[pos_];
    if (col == kKey) {
      sqlite3_result_text(ctx, r.key.c_str(), -1, SQLITE_TRANSIENT);
    } else if (col == kValue) {
      if (auto* i = std::get_if<int64_t>(&r.value)) sqlite3_result_int64(ctx, *i);
      else if (auto* d = std::get_if<double>(&r.value)) sqlite3_result_double(ctx, *d);
      else if (auto* s = std::get_if<std::string>(&r.value)) sqlite3_result_text(ctx, s->c_str(), -1, SQLITE_TRANSIENT);
    }
  }

 private:
  StatRows rows_;
  size_t pos_ = 0;
};

}  // namespace

const sqlite3_module* stats_module() { return TableFunction<StatsCursor>::module(); }

}  // namespace iccache::ext
