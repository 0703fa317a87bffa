// iccache_vector('[0.1, -2, 3e-4]') (functions.h): the explicit way to pass a JSON vector
// where iccache reads TEXT as request text (MATCH, iccache_prompt, iccache_route). It returns
// the numbers as a float32 little-endian BLOB, the form every vector argument accepts (and
// the form sqlite-vec's vec_f32() returns, so its BLOBs work unchanged).
#include <string>

#include "ext/functions.h"
#include "ext/sql/args.h"
#include "ext/sql/guard.h"
#include "vector/vector_parse.h"

namespace iccache::ext {

void vector_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  guarded(ctx, [&] {
    const std::string_view text = text_arg(argv[0], "iccache_vector", "the argument",
                                           "a JSON array of numbers as TEXT, such as '[0.1, -2, 3e-4]'");
    const std::vector<float> floats = parse_json_floats(text, "iccache_vector");
    sqlite3_result_blob64(ctx, floats.data(), floats.size() * sizeof(float), SQLITE_TRANSIENT);
  });
}

}  // namespace iccache::ext
