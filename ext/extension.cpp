// Entry point of the loadable extension: `.load build/iccache` in the sqlite3 shell, or
// sqlite3_load_extension / enable_load_extension from any client. Everything the extension
// adds to a connection is in the two tables below (functions.h says where each lives).
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <mutex>

#include "ext/functions.h"

namespace iccache::ext {
namespace {

struct Module {
  const char* name;
  const sqlite3_module* (*module)();
};

constexpr Module kModules[] = {
    {"iccache", iccache_module},       {"iccache_route", route_module},
    {"iccache_prompt", prompt_module}, {"iccache_stats", stats_module},
    {"iccache_replay", replay_module},
};

// Functions that write the cache (or read it for a check): direct use only, never from a
// trigger or a view of a possibly untrusted schema. Pure functions of their arguments may
// appear anywhere.
constexpr int kDirectOnly = SQLITE_UTF8 | SQLITE_DIRECTONLY;
constexpr int kPure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

struct Function {
  const char* name;
  int min_args, max_args;
  int flags;
  void (*fn)(sqlite3_context*, int, sqlite3_value**);
};

constexpr Function kFunctions[] = {
    {"iccache_feedback", 3, 5, kDirectOnly, feedback_function},
    {"iccache_load", 1, 2, kDirectOnly, load_function},
    {"iccache_calibrate", 2, 3, kDirectOnly, calibrate_function},
    {"iccache_evict", 1, 3, kDirectOnly, evict_function},
    {"iccache_example_feedback", 4, 6, kDirectOnly, example_feedback_function},
    {"iccache_integrity_check", 1, 1, kDirectOnly, integrity_function},
    {"iccache_training_wait", 1, 2, kDirectOnly, training_wait_function},
    {"iccache_scrub", 1, 2, kPure, scrub_function},
    {"iccache_vector", 1, 1, kPure, vector_function},
};

int register_all(sqlite3* db, char** err) {
  for (const Module& m : kModules) {
    const int rc = sqlite3_create_module_v2(db, m.name, m.module(), nullptr, nullptr);
    if (rc != SQLITE_OK) {
      *err = sqlite3_mprintf("iccache: could not register %s: %s", m.name, sqlite3_errstr(rc));
      return rc;
    }
  }
  for (const Function& f : kFunctions)
    for (int n = f.min_args; n <= f.max_args; ++n) {
      const int rc = sqlite3_create_function_v2(db, f.name, n, f.flags, nullptr, f.fn, nullptr,
                                                nullptr, nullptr);
      if (rc != SQLITE_OK) {
        *err = sqlite3_mprintf("iccache: could not register %s: %s", f.name, sqlite3_errstr(rc));
        return rc;
      }
    }
  return SQLITE_OK;
}

}  // namespace
}  // namespace iccache::ext

extern "C" __attribute__((visibility("default"))) int sqlite3_iccache_init(
    sqlite3* db, char** err, const sqlite3_api_routines* api) {
  // Every load in a process passes the same routine table, but connections opened on several
  // threads load at once: writing sqlite3_api on each load is a data race (ThreadSanitizer
  // reports it in the eight-thread test). The first load sets it; the others only read it.
  static std::once_flag api_set;
  std::call_once(api_set, [api] { SQLITE_EXTENSION_INIT2(api); });
  if (api != sqlite3_api) {
    // A second SQLite library in the same process: its connections cannot use the first
    // library's routines, and switching the table would break the first library's.
    *err = api->mprintf("iccache: this process already loaded iccache into another SQLite "
                        "library; one process can use iccache with one SQLite library only");
    return SQLITE_ERROR;
  }
  // The routine table is as long as the host's SQLite is new: calling a routine the host
  // lacks (sqlite3_txn_state is 3.34) reads past its end and crashes. SQLCipher 3.x, still
  // shipped by Debian, is SQLite 3.15 to 3.20.
  if (sqlite3_libversion_number() < 3034000) {
    *err = sqlite3_mprintf("iccache: needs SQLite 3.34.0 or later; this process runs SQLite %s"
                           " (SQLCipher 3.x is SQLite 3.15 to 3.20: use SQLCipher 4.5 or later)",
                           sqlite3_libversion());
    return SQLITE_ERROR;
  }
  return iccache::ext::register_all(db, err);
}
