// The built-in embedder on arbitrary bytes: the first byte picks dim (1..256). Text that
// is not UTF-8 or has no features must be an iccache::Error; anything else a unit vector.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "common/utf8.h"
#include "embed/hash_embedder.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int dim = 1 + data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  iccache::HashEmbedder e(dim);
  try {
    std::vector<float> v = e.embed(text);
    if (!iccache::utf8::valid(text)) iccache_fuzz::fail("embedded text that is not UTF-8");
    iccache_fuzz::check_unit(v, dim);
    // Deterministic: the same text embeds to the same vector, scratch state or not.
    if (e.embed(text) != v) iccache_fuzz::fail("embedding is not deterministic");
  } catch (const iccache::Error&) {
  }
  return 0;
}
