// Vector BLOB parsing: the first two bytes pick dim (1..4096), the rest is the BLOB.
// Bad input must be an iccache::Error; accepted input a unit vector of that dim.
#include <cstdint>

#include "common/error.h"
#include "fuzz_check.h"
#include "vector/vector_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int dim = 1 + ((data[0] | (data[1] << 8)) % iccache::kMaxDim);
  try {
    iccache_fuzz::check_unit(iccache::parse_vector_blob(data + 2, size - 2, dim, "fuzz.embedding"), dim);
  } catch (const iccache::Error&) {
  }
  return 0;
}
