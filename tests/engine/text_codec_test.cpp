#include "codec/text_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "common/error.h"

namespace iccache {
namespace {

using namespace std::string_literals;

constexpr int kRaw = static_cast<int>(TextEncoding::kRaw);
constexpr int kLz4 = static_cast<int>(TextEncoding::kLz4);

std::string round_trip(const std::string& text) {
  const EncodedText enc = encode_text(text);
  return decode_text(static_cast<int>(enc.encoding), enc.bytes);
}

std::string repetitive_text() {
  std::string s;
  for (int i = 0; i < 200; ++i) s += "Q: What is 12 + 30? A: 42. ";
  return s;
}

// Message of the iccache::Error thrown by decoding, or "" when nothing is thrown.
std::string decode_error(int encoding, const std::string& bytes) {
  try {
    decode_text(encoding, bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TextCodec, EmptyTextStaysRaw) {
  const EncodedText enc = encode_text("");
  EXPECT_EQ(enc.encoding, TextEncoding::kRaw);
  EXPECT_EQ(enc.bytes, "");
  EXPECT_EQ(decode_text(kRaw, ""), "");
}

TEST(TextCodec, ShortTextStaysRawEvenWhenCompressible) {
  const std::string text(kCompressMinBytes - 1, 'a');
  const EncodedText enc = encode_text(text);
  EXPECT_EQ(enc.encoding, TextEncoding::kRaw);
  EXPECT_EQ(enc.bytes, text);
  EXPECT_EQ(round_trip(text), text);
}

TEST(TextCodec, LongRepetitiveTextIsCompressed) {
  const std::string text = repetitive_text();
  const EncodedText enc = encode_text(text);
  EXPECT_EQ(enc.encoding, TextEncoding::kLz4);
  EXPECT_LT(enc.bytes.size(), text.size() / 4);
  // Header: the original length, little-endian.
  ASSERT_GE(enc.bytes.size(), 4u);
  const uint32_t declared = static_cast<unsigned char>(enc.bytes[0]) |
                            static_cast<unsigned char>(enc.bytes[1]) << 8 |
                            static_cast<unsigned char>(enc.bytes[2]) << 16 |
                            static_cast<uint32_t>(static_cast<unsigned char>(enc.bytes[3])) << 24;
  EXPECT_EQ(declared, text.size());
  EXPECT_EQ(decode_text(kLz4, enc.bytes), text);
}

TEST(TextCodec, IncompressibleTextStaysRaw) {
  std::mt19937 rng(42);
  std::string text(4096, '\0');
  for (char& c : text) c = static_cast<char>(rng());
  const EncodedText enc = encode_text(text);
  EXPECT_EQ(enc.encoding, TextEncoding::kRaw);
  EXPECT_EQ(round_trip(text), text);
}

TEST(TextCodec, BinaryWithNulsRoundTrips) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\0\0\x01\xFFzz\0"s;
  const EncodedText enc = encode_text(text);
  EXPECT_EQ(enc.encoding, TextEncoding::kLz4);
  EXPECT_EQ(round_trip(text), text);
  EXPECT_EQ(round_trip("a\0b"s), "a\0b"s);
}

TEST(TextCodec, UnknownEncodingThrows) {
  const std::string msg = decode_error(7, "abc");
  EXPECT_NE(msg.find("unknown encoding 7"), std::string::npos) << msg;
  EXPECT_NE(decode_error(-1, "abc").find("unknown encoding"), std::string::npos);
}

TEST(TextCodec, PayloadShorterThanHeaderThrows) {
  const std::string msg = decode_error(kLz4, "\x05\x00"s);
  EXPECT_NE(msg.find("stored text is corrupt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4-byte length header"), std::string::npos) << msg;
  EXPECT_NE(decode_error(kLz4, "").find("stored text is corrupt"), std::string::npos);
}

TEST(TextCodec, HugeDeclaredLengthThrows) {
  std::string bytes = encode_text(repetitive_text()).bytes;
  bytes[3] = '\x7F';  // declares about 2 GiB
  const std::string msg = decode_error(kLz4, bytes);
  EXPECT_NE(msg.find("exceeds the 1 GiB limit"), std::string::npos) << msg;
}

TEST(TextCodec, TruncatedBlockThrows) {
  const std::string bytes = encode_text(repetitive_text()).bytes;
  const std::string msg = decode_error(kLz4, bytes.substr(0, bytes.size() - 5));
  EXPECT_NE(msg.find("stored text is corrupt"), std::string::npos) << msg;
}

TEST(TextCodec, WrongDeclaredLengthThrows) {
  std::string bytes = encode_text(repetitive_text()).bytes;
  bytes[0] = static_cast<char>(bytes[0] + 1);  // one byte more than the block holds
  const std::string msg = decode_error(kLz4, bytes);
  EXPECT_NE(msg.find("stored text is corrupt: lz4 decompression"), std::string::npos) << msg;
}

TEST(TextCodec, GarbageBlockThrows) {
  const std::string bytes = "\x40\x00\x00\x00"s + std::string(20, '\xFF');
  EXPECT_NE(decode_error(kLz4, bytes).find("stored text is corrupt"), std::string::npos);
}

// Found by fuzzing (fuzz_codec): a short damaged row declaring up to 1 GiB made every read
// allocate and zero that much before lz4 could fail. lz4 expands at most 255-fold.
TEST(TextCodec, DeclaredLengthBeyondWhatTheBlockCanHoldThrowsBeforeAllocating) {
  const std::string bytes = "\x00\x00\x00\x30"s + std::string(5, '\x1F');  // 768 MiB from 5 bytes
  const std::string msg = decode_error(kLz4, bytes);
  EXPECT_NE(msg.find("stored text is corrupt: the declared length 805306368 is more than a 5-byte lz4 block can hold"),
            std::string::npos) << msg;
}

}  // namespace
}  // namespace iccache
