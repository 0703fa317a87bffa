#include "codec/text_codec.h"

#include <lz4.h>

#include <cstdint>
#include <utility>

#include "common/error.h"

namespace iccache {
namespace {

constexpr size_t kHeaderBytes = 4;
// decode_text refuses to allocate more than this for one text, so a corrupt length header
// cannot make it allocate gigabytes; encode_text keeps larger texts raw to stay decodable.
constexpr uint32_t kMaxDecodedBytes = 1u << 30;

void put_le32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t get_le32(const char* src) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(src[i])) << (8 * i);
  return v;
}

EncodedText raw(std::string_view text) { return {TextEncoding::kRaw, std::string(text)}; }

[[noreturn]] void corrupt(const std::string& detail) {
  throw Error("stored text is corrupt: " + detail);
}

}  // namespace

EncodedText encode_text(std::string_view text) {
  if (text.size() < kCompressMinBytes || text.size() > kMaxDecodedBytes) return raw(text);

  const int src_size = static_cast<int>(text.size());
  const int bound = LZ4_compressBound(src_size);
  std::string bytes(kHeaderBytes + static_cast<size_t>(bound), '\0');
  put_le32(bytes.data(), static_cast<uint32_t>(text.size()));
  const int written =
      LZ4_compress_default(text.data(), bytes.data() + kHeaderBytes, src_size, bound);
  if (written <= 0 || kHeaderBytes + static_cast<size_t>(written) >= text.size()) return raw(text);

  bytes.resize(kHeaderBytes + static_cast<size_t>(written));
  return {TextEncoding::kLz4, std::move(bytes)};
}

std::string decode_text(int encoding, std::string_view bytes) {
  if (encoding == static_cast<int>(TextEncoding::kRaw)) return std::string(bytes);
  if (encoding != static_cast<int>(TextEncoding::kLz4)) {
    throw Error("stored text has unknown encoding " + std::to_string(encoding) +
                "; expected 0 (raw) or 1 (lz4)");
  }

  if (bytes.size() < kHeaderBytes) {
    corrupt("the lz4 payload is " + std::to_string(bytes.size()) +
            " bytes; expected at least a 4-byte length header");
  }
  const uint32_t declared = get_le32(bytes.data());
  if (declared > kMaxDecodedBytes) {
    corrupt("the declared length " + std::to_string(declared) +
            " exceeds the 1 GiB limit; expected a length from the encoder");
  }
  const size_t block_size = bytes.size() - kHeaderBytes;
  if (block_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    corrupt("the lz4 block is " + std::to_string(block_size) +
            " bytes, larger than any block the encoder writes");
  }

  // lz4 expands a block at most 255-fold (a run's length costs one byte per 255), so a
  // larger declared length is damage: refuse it before allocating (a 9-byte corrupt row
  // would otherwise cost a 1 GiB allocation on every read).
  if (declared > 255 * block_size + 16) {
    corrupt("the declared length " + std::to_string(declared) + " is more than a " +
            std::to_string(block_size) + "-byte lz4 block can hold");
  }
  std::string text(declared, '\0');
  const int got = LZ4_decompress_safe(bytes.data() + kHeaderBytes, text.data(),
                                      static_cast<int>(block_size), static_cast<int>(declared));
  if (got != static_cast<int>(declared)) {
    corrupt("lz4 decompression " +
            (got < 0 ? std::string("failed") : "produced " + std::to_string(got) + " bytes") +
            "; expected " + std::to_string(declared) + " bytes");
  }
  return text;
}

}  // namespace iccache
