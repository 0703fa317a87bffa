// The one base of iccache's table-valued functions (iccache_route, iccache_prompt,
// iccache_stats, iccache_replay): eponymous-only virtual tables, like json_each, whose
// arguments are equality constraints on HIDDEN columns. A function supplies one cursor
// class C:
//   static constexpr TvfSpec kSpec;           what the function is (below)
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
#include <string_view>

#include "common/error.h"
#include "ext/sql/guard.h"
#include "ext/sql/module.h"
#include "ext/sql/sqlite_api.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

// One table-valued function, described once. Its arguments are the HIDDEN columns of
// `declare`, which come last (checked at compile time): the base counts them there, so
// no argument count or first argument column is kept in step with the declaration by hand.
struct TvfSpec {
  const char* name;     // the SQL name
  const char* declare;  // "CREATE TABLE x(<result columns>, <argument> HIDDEN, ...)"
  int required;         // how many leading arguments must be given
  const char* usage;    // what the error says is expected without them
  int config;           // SQLITE_VTAB_INNOCUOUS (reads only) or SQLITE_VTAB_DIRECTONLY (writes)
  double cost, rows;    // the plan's estimates

  // Columns of `declare`, and of them the HIDDEN ones (the arguments).
  constexpr int columns() const { return shape().columns; }
  constexpr int args() const { return shape().args; }
  constexpr int first_arg() const { return columns() - args(); }
  // True when every HIDDEN column follows every result column.
  constexpr bool hidden_last() const { return shape().hidden_last; }

 private:
  struct Shape {
    int columns = 0, args = 0;
    bool hidden_last = true;
  };
  // One pass over declare's column list (no declared type has a comma). A plain loop, not
  // a template taking a lambda: clang 14 refuses the latter in a constant expression.
  constexpr Shape shape() const {
    Shape s;
    std::string_view d(declare);
    d = d.substr(d.find('(') + 1);
    d = d.substr(0, d.rfind(')'));
    for (size_t comma = 0; comma != std::string_view::npos; d = d.substr(comma + 1)) {
      comma = d.find(',');
      const bool hidden = d.substr(0, comma).find(" HIDDEN") != std::string_view::npos;
      ++s.columns;
      if (hidden) ++s.args;
      else if (s.args > 0) s.hidden_last = false;
      if (comma == std::string_view::npos) break;
    }
    return s;
  }
};

// xBestIndex for arguments in hidden columns first_arg .. first_arg + count - 1: passes
// every one present to xFilter in column order, with idxNum = bit mask of those present.
// Returns SQLITE_CONSTRAINT while an argument is not usable yet, so that SQLite picks a
// join order in which it is known.
int plan_hidden_args(sqlite3_index_info* info, int first_arg, int count, double cost,
                     double rows);

// The same for the arguments of `spec`.
inline int plan_hidden_args(sqlite3_index_info* info, const TvfSpec& spec) {
  return plan_hidden_args(info, spec.first_arg(), spec.args(), spec.cost, spec.rows);
}

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
  static constexpr TvfSpec kSpec = C::kSpec;
  static_assert(kSpec.hidden_last(), "a table-valued function's arguments are its last columns");
  static_assert(kSpec.required <= kSpec.args());

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
      check(db, sqlite3_declare_vtab(db, kSpec.declare), kSpec.name);
      sqlite3_vtab_config(db, kSpec.config);
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
      return plan_hidden_args(info, kSpec);
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
      sqlite3_value* args[kSpec.args()];
      unpack_hidden_args(idx_num, argv, args, kSpec.args());
      for (int i = 0; i < kSpec.required; ++i)
        if (!args[i]) throw Error(std::string(kSpec.name) + ": expected " + kSpec.usage);
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
