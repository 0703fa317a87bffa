// The one place ext/ includes SQLite. Loadable-extension builds reach SQLite through the
// sqlite3_api routine table that the entry point receives (SQLITE_EXTENSION_INIT1 lives in
// extension.cpp), so the module works in any host: the sqlite3 shell, Python, Node, Go.
#pragma once
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
