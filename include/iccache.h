/* iccache linked into a program (libiccache.a, CMake target iccache_static) instead of
 * loaded from build/iccache.so. Register it before the first connection is opened, and every
 * connection the process opens gets the module, as if `.load build/iccache` had run on it
 * (this is how a dqlite node gets it, cluster/):
 *
 *   sqlite3_auto_extension((void (*)(void))sqlite3_iccache_init);
 *
 * Link: libiccache.a, then sqlite3, faiss (with BLAS and LAPACK), lz4, OpenMP and the C++
 * standard library; target_link_libraries(app PRIVATE iccache_static) adds them. */
#ifndef ICCACHE_H
#define ICCACHE_H
#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The extension's entry point: registers the iccache virtual table module and its SQL
 * functions on db. Returns SQLITE_OK, or an error code with *err set (sqlite3_free it). */
int sqlite3_iccache_init(sqlite3* db, char** err, const sqlite3_api_routines* api);

#ifdef __cplusplus
}
#endif
#endif
