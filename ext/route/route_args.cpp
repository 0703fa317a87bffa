#include "ext/route/route_args.h"

#include "common/error.h"
#include "common/tenant_check.h"
#include "ext/sql/args.h"
#include "ext/table/vtab.h"
#include "vector/vector_parse.h"

namespace iccache::ext {

void require_tenant_examples(Table& t, const std::vector<int64_t>& ids, const std::string& tenant,
                             std::string_view function, std::string_view what) {
  if (ids.empty()) return;
  Stmt s(t.db, "SELECT tenant FROM " + t.storage.shadow("data") + " WHERE id = ?");
  auto tenant_of = [&](int64_t id) -> std::optional<std::string> {
    if (!s.reset().bind(1, id).step()) return std::nullopt;
    return std::string(s.text(0));
  };
  iccache::require_tenant_examples(ids, tenant, tenant_of, function, what, t.name);
}

std::vector<float> request_arg(Table& t, sqlite3_value* v, const std::string& what,
                               int64_t& request_bytes) {
  request_bytes = 0;
  switch (sqlite3_value_type(v)) {
    case SQLITE_BLOB:
      return parse_vector_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v), t.options.dim, what);
    case SQLITE_TEXT: {  // always request text, '[' or not (a vector is a BLOB)
      const std::string_view text = text_of(v);
      request_bytes = static_cast<int64_t>(text.size());
      return t.embed_query(text, what);
    }
    default:
      throw Error(what + ": expected request TEXT, or a vector as a float32 BLOB of " +
                  std::to_string(t.options.dim) + " dimensions (iccache_vector('[...]') makes one"
                  " from a JSON array); received " + describe(v));
  }
}

}  // namespace iccache::ext
