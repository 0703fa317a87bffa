// The one base of iccache's table-valued functions (iccache_route, iccache_prompt,
// iccache_stats, iccache_replay): eponymous-only virtual tables, like json_each, whose
// arguments are equality constraints on HIDDEN columns. A function supplies one cursor
// class C:
//   static constexpr const char* kName;       the SQL name
//   static constexpr const char* kDeclare;    "CREATE TABLE x(..., tbl HIDDEN, ...)"
//   static constexpr int kFirstArg, kArgCount; the hidden argument columns
//   static constexpr int kRequired;           how many leading arguments must be given
//   static constexpr const char* kUsage;      what the error says is expected without them
//   static constexpr int kConfig;             SQLITE_VTAB_INNOCUOUS (reads only) or
//                                             SQLITE_VTAB_DIRECTONLY (writes)
//   static constexpr double kCost, kRows;     the plan's estimates
//   void filter(sqlite3* db, sqlite3_value** args, const TvfPlan& plan);  may throw;
//                                             args[i]: argument i, null when absent
//   void next();  bool eof() const;  int64_t rowid() const;      next may throw
//                                             (OneRowCursor has them for one-row results)
//   void column(sqlite3_context* ctx, int col);                    may throw
// and may replace the default plan (plan_hidden_args) with
//   static int best_index(sqlite3_index_info* info);
// The base makes every entry point exception-safe (guard.h) and allocation-safe.
#pragma once
#include <new>
#include <string>

#include "common/error.h"
#include "ext/sql/guard.h"
#include "ext/sql/module.h"
#include "ext/sql/sqlite_api.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

// xBestIndex for arguments in hidden columns first_arg .. first_arg + count - 1: passes
// every one present to xFilter in column order, with idxNum = bit mask of those present.
// Returns SQLITE_CONSTRAINT while an argument is not usable yet, so that SQLite picks a
// join order in which it is known.
int plan_hidden_args(sqlite3_index_info* info, int first_arg, int count, double cost,
                     double rows);

// xFilter's side: spreads argv over args[0 .. count) by the mask; absent ones stay null.
void unpack_hidden_args(int mask, sqlite3_value** argv, sqlite3_value** args, int count);

// What xFilter received, for a cursor whose own best_index passed more than the arguments
// (iccache_replay's LIMIT): the plan's idxNum and SQLite's argv.
struct TvfPlan {
  int idx_num;
  sqlite3_value** argv;
};

// The cursor side of a function that returns one row (iccache_route, iccache_prompt):
// filter() computes it and sets has_row_.
class OneRowCursor {
 public:
  void next() { has_row_ = false; }
  bool eof() const { return !has_row_; }
  int64_t rowid() const { return 1; }

 protected:
  bool has_row_ = false;
};

template <class C>
class TableFunction {
 public:
  static const sqlite3_module* module() {
    static const sqlite3_module m = module_of<TableFunction>(1);  // no transaction/rename methods
    return &m;
  }

 private:
  template <class M>
  friend sqlite3_module module_of(int version);
  struct Vtab : sqlite3_vtab {
    sqlite3* db = nullptr;
  };
  struct Cursor : sqlite3_vtab_cursor {
    C impl;
  };
  static C& impl(sqlite3_vtab_cursor* cur) { return static_cast<Cursor*>(cur)->impl; }

  static int connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out,
                     char** err) {
    return guarded(err, [&] {
      check(db, sqlite3_declare_vtab(db, C::kDeclare), C::kName);
      sqlite3_vtab_config(db, C::kConfig);
      auto* v = new Vtab();
      v->db = db;
      *out = v;
      return SQLITE_OK;
    });
  }
  static int disconnect(sqlite3_vtab* v) {
    delete static_cast<Vtab*>(v);
    return SQLITE_OK;
  }
  static constexpr auto destroy = disconnect;
  static int best_index(sqlite3_vtab*, sqlite3_index_info* info) {
    if constexpr (requires { C::best_index(info); })
      return C::best_index(info);
    else
      return plan_hidden_args(info, C::kFirstArg, C::kArgCount, C::kCost, C::kRows);
  }
  static int open(sqlite3_vtab* v, sqlite3_vtab_cursor** out) {
    return guarded(v, [&] {
      *out = new Cursor();
      return SQLITE_OK;
    });
  }
  static int close(sqlite3_vtab_cursor* cur) {
    delete static_cast<Cursor*>(cur);
    return SQLITE_OK;
  }
  static int filter(sqlite3_vtab_cursor* cur, int idx_num, const char*, int,
                    sqlite3_value** argv) {
    return guarded(cur->pVtab, [&] {
      sqlite3_value* args[C::kArgCount];
      unpack_hidden_args(idx_num, argv, args, C::kArgCount);
      for (int i = 0; i < C::kRequired; ++i)
        if (!args[i]) throw Error(std::string(C::kName) + ": expected " + C::kUsage);
      impl(cur).filter(static_cast<Vtab*>(cur->pVtab)->db, args, TvfPlan{idx_num, argv});
      return SQLITE_OK;
    });
  }
  static int next(sqlite3_vtab_cursor* cur) {
    return guarded(cur->pVtab, [&] {
      impl(cur).next();
      return SQLITE_OK;
    });
  }
  static int eof(sqlite3_vtab_cursor* cur) { return impl(cur).eof() ? 1 : 0; }
  static int column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int col) {
    return guarded(cur->pVtab, [&] {
      impl(cur).column(ctx, col);
      return SQLITE_OK;
    });
  }
  static int rowid(sqlite3_vtab_cursor* cur, sqlite3_int64* out) {
    *out = impl(cur).rowid();
    return SQLITE_OK;
  }
};

}  // namespace iccache::ext
