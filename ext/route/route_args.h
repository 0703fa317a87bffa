// Arguments that need the table: a request (TEXT to embed, or a vector) and the tenant check
// of example ids. The table-free readers are in ext/sql/args.h.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

struct Table;

// Refuses (before anything is written) any id in `ids` that is an example of another tenant
// than `tenant` in t; ids of no example are left to the caller. `what` names the argument.
void require_tenant_examples(Table& t, const std::vector<int64_t>& ids, const std::string& tenant,
                             std::string_view function, std::string_view what);

// A request or MATCH argument: TEXT is always request text to embed (a prompt may well start
// with '['); a vector comes as a float32 BLOB, e.g. iccache_vector('[0.1, ...]'). Returns
// the unit vector; request_bytes is the text length, 0 for a vector. `what` prefixes errors.
std::vector<float> request_arg(Table& t, sqlite3_value* v, const std::string& what,
                               int64_t& request_bytes);

}  // namespace iccache::ext
