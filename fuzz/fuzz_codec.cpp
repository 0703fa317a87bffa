// The text codec: decoding arbitrary stored bytes (a damaged file) must be an
// iccache::Error or a string; encoding then decoding any text must give it back.
#include <cstdint>
#include <string_view>

#include "codec/text_codec.h"
#include "common/error.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    (void)iccache::decode_text(data[0] % 3, bytes);
  } catch (const iccache::Error&) {
  }
  iccache::EncodedText e = iccache::encode_text(bytes);
  if (iccache::decode_text(static_cast<int>(e.encoding), e.bytes) != bytes)
    iccache_fuzz::fail("encode/decode round trip changed the text");
  return 0;
}
