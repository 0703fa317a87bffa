/* A program that links libiccache.a (iccache_static) and registers it with
 * sqlite3_auto_extension, as include/iccache.h says: the module and its functions exist on
 * every connection opened afterwards, with no load_extension. */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "iccache.h"

static int fail(sqlite3* db, const char* what) {
  fprintf(stderr, "static_link: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  return 1;
}

int main(void) {
  if (sqlite3_auto_extension((void (*)(void))sqlite3_iccache_init) != SQLITE_OK) return fail(NULL, "auto_extension");
  sqlite3* db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return fail(db, "open");
  if (sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE ex USING iccache(dim=32, embedder='hash');"
                   "INSERT INTO ex(request, response) VALUES ('capital of France', 'Paris.');"
                   "INSERT INTO ex(request, response) VALUES ('boiling point of water', '100 C.');",
                   NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "create and insert");
  sqlite3_stmt* st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT request FROM ex WHERE ex MATCH 'the capital of France' AND k = 1", -1, &st, NULL) != SQLITE_OK)
    return fail(db, "prepare MATCH");
  if (sqlite3_step(st) != SQLITE_ROW) return fail(db, "MATCH returned no row");
  const char* got = (const char*)sqlite3_column_text(st, 0);
  if (strcmp(got, "capital of France") != 0) {
    fprintf(stderr, "static_link: MATCH returned '%s', expected 'capital of France'\n", got);
    return 1;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  puts("static_link: ok");
  return 0;
}
