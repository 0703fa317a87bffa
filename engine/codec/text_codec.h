// Storage codec for request/response plaintext: lz4 block compression when it pays,
// raw bytes otherwise. The caller stores the returned flag next to the bytes.
#pragma once
#include <string>
#include <string_view>

namespace iccache {

enum class TextEncoding : int { kRaw = 0, kLz4 = 1 };

struct EncodedText {
  TextEncoding encoding;
  std::string bytes;  // kLz4: 4-byte little-endian original length, then the lz4 block
};

// Texts shorter than this stay raw: lz4 cannot win on them and raw keeps them greppable.
constexpr size_t kCompressMinBytes = 64;

// Compresses with lz4 when the text is at least kCompressMinBytes long and compression
// saves bytes; otherwise returns the raw bytes.
EncodedText encode_text(std::string_view text);

// Inverse of encode_text. Throws iccache::Error on a corrupt or truncated lz4 payload
// (the message says which) or an unknown encoding value.
std::string decode_text(int encoding, std::string_view bytes);

}  // namespace iccache
