// iccache_replay('ex' [, replay_cost [, now]]): the replay queue as a table-valued function
// (sql/tvf.h), and through it the view ex_replay (manage_store.cpp). Rows are the examples
// in descending expected gain (engine/manage/example_stats.h), ties by rowid; a replay_cost
// constraint keeps only rows whose expected gain exceeds it; LIMIT is pushed down so only
// the top rows are sorted. `now` (seconds since 1970, default: the clock) fixes the time the
// decayed counters are read at, for reproducible answers.
#include <bit>
#include <cmath>
#include <optional>

#include "codec/text_codec.h"
#include "common/clock.h"
#include "ext/manage/manage_store.h"
#include "ext/sql/args.h"
#include "ext/sql/tvf.h"
#include "ext/table/registry.h"
#include "ext/table/vtab.h"
#include "manage/replay_queue.h"

namespace iccache::ext {

namespace {

constexpr const char* kName = "iccache_replay";

class ReplayCursor {
 public:
  // Reads only (SQLITE_VTAB_INNOCUOUS): usable from the view. Every plan reads all
  // examples once (O(N)).
  static constexpr TvfSpec kSpec{
      kName,
      "CREATE TABLE x(request TEXT, response TEXT, quality REAL, uses INTEGER, offloads INTEGER,"
      " gain REAL, expected_gain REAL, recent_uses REAL, quality_ema REAL, replays INTEGER,"
      " prev_quality REAL, replayed_at REAL, value REAL, bytes INTEGER,"
      " tbl HIDDEN, replay_cost HIDDEN, now HIDDEN, tenant HIDDEN, table_identity HIDDEN)",
      1, "the name of an iccache table: iccache_replay('ex')", SQLITE_VTAB_INNOCUOUS, 1e6, 1000};
  enum Col {
    kRequest, kResponse, kQuality, kUses, kOffloads, kGain, kExpectedGain, kRecentUses,
    kQualityEma, kReplays, kPrevQuality, kReplayedAt, kValue, kBytes,
    kTable, kCost, kNow, kTenant, kIdentity
  };

  // The hidden arguments as with every table-valued function (idxNum bit i: argument i),
  // plus LIMIT (bit 5) and ORDER BY expected_gain DESC, which the cursor delivers.
  static constexpr int kHasLimit = 1 << kSpec.args();
  static int best_index(sqlite3_index_info* info) {
    const int rc = plan_hidden_args(info, kSpec);
    if (rc != SQLITE_OK) return rc;
    int limit = -1;
    bool offset = false;
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& c = info->aConstraint[i];
      if (c.op == SQLITE_INDEX_CONSTRAINT_OFFSET) offset = true;
      if (c.usable && c.op == SQLITE_INDEX_CONSTRAINT_LIMIT) limit = i;
    }
    // With an OFFSET, SQLite counts the skipped rows itself.
    if (limit >= 0 && !offset) {
      int argi = std::popcount(static_cast<unsigned>(info->idxNum));
      pass_to_filter(info, limit, argi);
      info->idxNum |= kHasLimit;
    }
    if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == kExpectedGain && info->aOrderBy[0].desc)
      info->orderByConsumed = 1;
    return SQLITE_OK;
  }

  void filter(sqlite3* db, sqlite3_value** args, const TvfPlan& plan) {
    cost_.reset();
    if (args[1]) cost_ = number_arg(args[1], kName, "replay_cost", 0, HUGE_VAL, "a number >= 0");
    now_ = args[2] ? number_arg(args[2], kName, "now", 0, HUGE_VAL, "a number >= 0") : wall_clock_now();
    sqlite3_value* tenant = args[3];
    Table* t = find_table_by_identity(db, table_name_arg(args[0], kName), identity_arg(args[4]), kName);
    std::optional<size_t> limit;
    if (plan.idx_num & kHasLimit) {
      const int64_t n = sqlite3_value_int64(
          plan.argv[std::popcount(static_cast<unsigned>(plan.idx_num & (kHasLimit - 1)))]);
      if (n >= 0) limit = static_cast<size_t>(n);
    }
    const manage::StatsParams params = manage::stats_params(t->options.manage);
    half_life_ = params.half_life;
    std::vector<manage::ReplayEntry> entries;
    // tenant = NULL matches nothing, as in SQL and MATCH (docs/reliability.md, tenant model).
    Stmt scan(t->db, "SELECT id, gain, recent_uses, coalesce(decay_at, created_at) FROM " +
                         t->storage.shadow("data") + (tenant ? " WHERE tenant = ?" : ""));
    if (tenant && sqlite3_value_type(tenant) != SQLITE_NULL) scan.bind_text(1, text_of(tenant));
    while (scan.step())
      entries.push_back(manage::replay_entry(scan.int64(0), scan.real(1), scan.real(2), scan.real(3), now_, params));
    rows_ = rank_for_replay(std::move(entries), cost_, limit);
    pos_ = 0;
    row_ = Stmt(t->db,
                "SELECT request, request_enc, response, response_enc, quality, uses, offloads,"
                " gain, recent_uses, quality_ema, replays, prev_quality, replayed_at, value, bytes,"
                " coalesce(decay_at, created_at), tenant FROM " + t->storage.shadow("data") +
                    " WHERE id = ?");
    load_row();
  }
  void next() {
    ++pos_;
    load_row();
  }
  bool eof() const { return pos_ >= rows_.size(); }
  int64_t rowid() const { return rows_[pos_].id; }
  void column(sqlite3_context* ctx, int col) const {
    const Stmt& r = row_;
    const double decay_at = r.real(15);
    switch (col) {
      case kRequest: result_text(ctx, r, 0); break;
      case kResponse: result_text(ctx, r, 2); break;
      case kQuality: sqlite3_result_double(ctx, r.real(4)); break;
      case kUses: sqlite3_result_int64(ctx, r.int64(5)); break;
      case kOffloads: sqlite3_result_int64(ctx, r.int64(6)); break;
      case kGain: sqlite3_result_double(ctx, r.real(7)); break;
      case kExpectedGain: sqlite3_result_double(ctx, rows_[pos_].expected_gain); break;
      case kRecentUses: sqlite3_result_double(ctx, manage::decay(r.real(8), decay_at, now_, half_life_)); break;
      case kQualityEma: sqlite3_result_double(ctx, r.real(9)); break;
      case kReplays: sqlite3_result_int64(ctx, r.int64(10)); break;
      case kPrevQuality:
        if (!r.is_null(11)) sqlite3_result_double(ctx, r.real(11));
        break;
      case kReplayedAt:
        if (!r.is_null(12)) sqlite3_result_double(ctx, r.real(12));
        break;
      case kValue: sqlite3_result_double(ctx, manage::decay(r.real(13), decay_at, now_, half_life_)); break;
      case kBytes: sqlite3_result_int64(ctx, r.int64(14)); break;
      case kCost:
        if (cost_) sqlite3_result_double(ctx, *cost_);
        break;
      case kNow: sqlite3_result_double(ctx, now_); break;
      case kTenant:
        sqlite3_result_text64(ctx, r.text(16).data(), r.text(16).size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      default: break;  // tbl and table_identity read as NULL
    }
  }

 private:
  void load_row() {
    if (pos_ >= rows_.size()) return;
    row_.reset().bind(1, rows_[pos_].id);
    if (!row_.step())
      throw SqlError(SQLITE_CORRUPT_VTAB, std::string(kName) + ": example " +
                                              std::to_string(rows_[pos_].id) + " vanished");
  }
  static void result_text(sqlite3_context* ctx, const Stmt& r, int col) {
    const std::string text = decode_text(static_cast<int>(r.int64(col + 1)), r.blob(col));
    sqlite3_result_text64(ctx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }

  std::vector<manage::ReplayEntry> rows_;
  size_t pos_ = 0;
  Stmt row_;  // the current example's columns
  std::optional<double> cost_;
  double now_ = 0;
  double half_life_ = 1;
};

}  // namespace

const sqlite3_module* replay_module() { return TableFunction<ReplayCursor>::module(); }

}  // namespace iccache::ext
