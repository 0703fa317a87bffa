// The one error guard: no C++ exception may cross SQLite's C frames (undefined behaviour),
// so every method and function SQLite calls runs its body through one of these. An
// iccache::ext::SqlError keeps its result code (SQLITE_CONSTRAINT, SQLITE_CORRUPT_VTAB...),
// the engine's iccache::CorruptData (damaged stored data) becomes SQLITE_CORRUPT_VTAB,
// std::bad_alloc SQLITE_NOMEM, any other exception SQLITE_ERROR with its message.
#pragma once
#include <new>
#include <string>

#include "ext/sql/stmt.h"

namespace iccache::ext {

// Runs fn() (returning an SQLite result code); an exception becomes report(rc, message)'s
// result. report must not throw.
template <class Fn, class Report>
int guard(Fn&& fn, Report&& report) noexcept {
  try {
    return fn();
  } catch (const SqlError& e) {
    return report(e.rc(), e.what());
  } catch (const CorruptData& e) {
    return report(SQLITE_CORRUPT_VTAB, e.what());
  } catch (const std::bad_alloc&) {
    return report(SQLITE_NOMEM, nullptr);
  } catch (const std::exception& e) {
    return report(SQLITE_ERROR, e.what());
  } catch (...) {
    return report(SQLITE_ERROR, "iccache: an unexpected error");
  }
}

int set_error(sqlite3_vtab* vtab, int rc, const std::string& msg);

// Virtual-table methods (xFilter, xNext, xColumn, xUpdate...): the message goes to zErrMsg.
template <class Fn>
int guarded(sqlite3_vtab* vtab, Fn&& fn) noexcept {
  return guard(std::forward<Fn>(fn),
               [vtab](int rc, const char* msg) { return msg ? set_error(vtab, rc, msg) : rc; });
}

// xCreate and xConnect: the message goes to *err.
template <class Fn>
int guarded(char** err, Fn&& fn) noexcept {
  return guard(std::forward<Fn>(fn), [err](int rc, const char* msg) {
    if (msg) *err = sqlite3_mprintf("%s", msg);
    return rc;
  });
}

// Scalar SQL functions: fn() sets the result; an exception becomes the function's error.
template <class Fn>
void guarded(sqlite3_context* ctx, Fn&& fn) noexcept {
  guard([&] { fn(); return SQLITE_OK; }, [ctx](int rc, const char* msg) {
    if (rc == SQLITE_NOMEM) {
      sqlite3_result_error_nomem(ctx);
    } else {
      sqlite3_result_error(ctx, msg, -1);
      sqlite3_result_error_code(ctx, rc);
    }
    return rc;
  });
}

// Sets a virtual table's error message and returns rc (for errors found without a throw).
inline int set_error(sqlite3_vtab* vtab, int rc, const std::string& msg) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", msg.c_str());
  return rc;
}

}  // namespace iccache::ext
