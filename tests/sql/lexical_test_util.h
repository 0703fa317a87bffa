// Shared by the lexical-index tests (lexical_test.cpp, lexical_shared_test.cpp): the top k
// of a text MATCH as "rowid:similarity ..." (4 decimals), one ex_stats value, and filler
// examples whose texts share the words "filler request number".
#pragma once
#include <string>

#include "sql_test_util.h"

namespace iccache_test {

inline std::string top(Db& db, const std::string& q, int k = 3, const std::string& extra = "") {
  return db.scalar("SELECT group_concat(rowid || ':' || printf('%.4f', similarity), ' ') FROM (SELECT rowid, "
                   "similarity FROM ex WHERE ex MATCH '" + q + "' AND k = " + std::to_string(k) + extra + ")");
}
inline std::string stat(Db& db, const std::string& key) {
  return db.scalar("SELECT value FROM ex_stats WHERE key = '" + key + "'");
}
inline void fill(Db& db, int from, int to) {
  for (int i = from; i <= to; ++i)
    db.exec("INSERT INTO ex(rowid, request, response) VALUES(" + std::to_string(i) + ", 'filler request number " +
            std::to_string(i) + "', 'a')");
}

}  // namespace iccache_test
