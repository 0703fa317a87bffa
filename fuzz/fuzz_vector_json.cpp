// Vector JSON parsing: the first byte picks dim (1..256), the rest is the text. Bad input
// must be an iccache::Error; accepted input a unit vector of that dim.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "fuzz_check.h"
#include "vector/vector_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int dim = 1 + data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)iccache::looks_like_json_array(text);
  try {
    iccache_fuzz::check_unit(iccache::parse_vector_json(text, dim, "fuzz.embedding"), dim);
  } catch (const iccache::Error&) {
  }
  return 0;
}
