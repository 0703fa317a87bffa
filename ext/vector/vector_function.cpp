// iccache_vector('[0.1, -2, 3e-4]'): the explicit way to pass a JSON vector where iccache
// reads TEXT as request text (MATCH, iccache_prompt, iccache_route). It returns the numbers
// as a float32 little-endian BLOB, the form every vector argument accepts (and the form
// sqlite-vec's vec_f32() returns, so its BLOBs work unchanged).
#include <string>

#include "common/error.h"
#include "ext/sql/sqlite_api.h"
#include "vector/vector_parse.h"

namespace iccache::ext {

namespace {

void vector_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  if (sqlite3_value_type(v) != SQLITE_TEXT) {
    static const char* kType[] = {"", "an INTEGER", "a REAL", "TEXT", "a BLOB", "NULL"};
    const std::string msg = "iccache_vector: expected a JSON array of numbers as TEXT, such as "
                            "'[0.1, -2, 3e-4]'; received " +
                            std::string(kType[sqlite3_value_type(v)]);
    sqlite3_result_error(ctx, msg.c_str(), -1);
    return;
  }
  try {
    std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(v)),
                          static_cast<size_t>(sqlite3_value_bytes(v)));
    std::vector<float> floats = parse_json_floats(text, "iccache_vector");
    sqlite3_result_blob64(ctx, floats.data(), floats.size() * sizeof(float), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

}  // namespace

int register_vector_function(sqlite3* db) {
  return sqlite3_create_function_v2(db, "iccache_vector", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    vector_fn, nullptr, nullptr, nullptr);
}

}  // namespace iccache::ext
