package main

// iccache is linked in (build/libiccache.a, CMake target iccache_static) and registered with
// sqlite3_auto_extension before the dqlite node opens any database: every connection the
// node opens (the leader connections that execute SQL, the follower connection that applies
// replicated WAL frames) then has the iccache module, exactly as if `.load build/iccache` had
// run on it. The include path and the link line come from CMake (CGO_CFLAGS, CGO_LDFLAGS).

/*
#include <sqlite3.h>
#include "iccache.h"
static int iccache_register(void) {
  return sqlite3_auto_extension((void (*)(void))sqlite3_iccache_init);
}
*/
import "C"

import "fmt"

func registerIccache() error {
	if rc := C.iccache_register(); rc != 0 {
		return fmt.Errorf("sqlite3_auto_extension(sqlite3_iccache_init) failed with SQLite error %d", int(rc))
	}
	return nil
}
