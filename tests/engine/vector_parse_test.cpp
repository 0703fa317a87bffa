#include "../common/expect_contains.h"
#include "vector/vector_parse.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "error_test_util.h"

namespace iccache {
namespace {

// Little-endian float32 bytes, as sqlite-vec and ext/ write them.
std::string blob_of(const std::vector<float>& values) {
  std::string bytes;
  for (float f : values) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }
  return bytes;
}

std::string json_error(std::string_view text, int dim = 3) {
  return error_of([&] { parse_vector_json(text, dim, "ex.embedding"); });
}

std::string blob_error(const std::string& bytes, int dim) {
  return error_of([&] { parse_vector_blob(bytes.data(), bytes.size(), dim, "ex.embedding"); });
}

TEST(VectorParse, NormalisesExactly) {
  std::vector<float> v = {3.0f, 4.0f};
  validate_and_normalize(v, "v");
  EXPECT_EQ(v[0], 0.6f);
  EXPECT_EQ(v[1], 0.8f);
}

TEST(VectorParse, BlobIsParsedAndNormalised) {
  const std::string bytes = blob_of({3.0f, 0.0f, -4.0f});
  const std::vector<float> v = parse_vector_blob(bytes.data(), bytes.size(), 3, "ex.embedding");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], 0.6f);
  EXPECT_EQ(v[1], 0.0f);
  EXPECT_EQ(v[2], -0.8f);
}

TEST(VectorParse, BlobOfWrongSizeThrows) {
  EXPECT_CONTAINS(blob_error(blob_of({1, 2}), 3),
                  "ex.embedding: expected 3 dimensions but received 2");
  EXPECT_CONTAINS(blob_error(blob_of({1, 2, 3, 4}), 3), "expected 3 dimensions but received 4");
  EXPECT_CONTAINS(blob_error(std::string(13, '\0'), 3),
                  "expected a 12-byte float32 blob (3 dimensions) but received 13 bytes");
  EXPECT_CONTAINS(blob_error("", 3), "expected 3 dimensions but received 0");
}

TEST(VectorParse, BlobWithNonFiniteValuesThrows) {
  EXPECT_CONTAINS(blob_error(blob_of({1, std::numeric_limits<float>::quiet_NaN(), 1}), 3),
                  "ex.embedding: element 1 is NaN; expected finite numbers");
  EXPECT_CONTAINS(blob_error(blob_of({1, 1, std::numeric_limits<float>::infinity()}), 3),
                  "element 2 is infinite; expected finite numbers");
  EXPECT_CONTAINS(blob_error(blob_of({-std::numeric_limits<float>::infinity(), 1, 1}), 3),
                  "element 0 is infinite");
}

TEST(VectorParse, ZeroVectorThrows) {
  EXPECT_CONTAINS(blob_error(blob_of({0, -0.0f, 0}), 3),
                  "ex.embedding: the vector is all zeros; a direction is needed");
  EXPECT_CONTAINS(json_error("[0, 0.0, -0]"), "the vector is all zeros");
}

TEST(VectorParse, JsonIsParsedAndNormalised) {
  const std::vector<float> v = parse_vector_json("[3, 0, 4]", 3, "ex MATCH");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], 0.6f);
  EXPECT_EQ(v[1], 0.0f);
  EXPECT_EQ(v[2], 0.8f);
}

TEST(VectorParse, JsonAcceptsWhitespaceExponentsAndNegatives) {
  const std::vector<float> v =
      parse_vector_json(" \n\t[ -3e0 ,0.0\r\n, 4E+0,-0 , 0.5e-1 ]\n ", 5, "v");
  ASSERT_EQ(v.size(), 5u);
  const float n = static_cast<float>(std::sqrt(9.0 + 16.0 + 0.05 * 0.05));
  EXPECT_FLOAT_EQ(v[0], -3.0f / n);
  EXPECT_EQ(v[1], 0.0f);
  EXPECT_FLOAT_EQ(v[2], 4.0f / n);
  EXPECT_EQ(v[3], 0.0f);
  EXPECT_FLOAT_EQ(v[4], 0.05f / n);
}

TEST(VectorParse, JsonWithWrongCountThrows) {
  EXPECT_CONTAINS(json_error("[1, 2]"), "ex.embedding: expected 3 dimensions but received 2");
  EXPECT_CONTAINS(json_error("[1, 2, 3, 4]"), "expected 3 dimensions but received 4");
  EXPECT_CONTAINS(json_error("[]"), "expected 3 dimensions but received 0");
  EXPECT_CONTAINS(json_error(" [ ] "), "expected 3 dimensions but received 0");
}

TEST(VectorParse, MalformedJsonNamesTheOffset) {
  EXPECT_CONTAINS(json_error(""),
                  "malformed JSON at offset 0: expected '[' to start the vector "
                  "but found the end of the text");
  EXPECT_CONTAINS(json_error("1, 2, 3"), "malformed JSON at offset 0: expected '['");
  EXPECT_CONTAINS(json_error("[1, 2, 3"), "malformed JSON at offset 8: expected ',' or ']'");
  EXPECT_CONTAINS(json_error("[1 2 3]"),
                  "malformed JSON at offset 3: expected ',' or ']' but found '2'");
  EXPECT_CONTAINS(json_error("[1, 2, 3,]"),
                  "malformed JSON at offset 9: expected a number but found ']'");
  EXPECT_CONTAINS(json_error("[1,,2,3]"), "offset 3: expected a number");
  EXPECT_CONTAINS(json_error("[1, 2, 3] x"),
                  "offset 10: expected nothing after the closing ']' "
                  "but found 'x'");
  EXPECT_CONTAINS(json_error("[1, 2, 3]]"), "offset 9: expected nothing after the closing ']'");
}

TEST(VectorParse, JsonRejectsNonNumbers) {
  EXPECT_CONTAINS(json_error("[[1], 2, 3]"), "offset 1: expected a number but found '['");
  EXPECT_CONTAINS(json_error("[1, \"2\", 3]"), "offset 4: expected a number but found '\"'");
  EXPECT_CONTAINS(json_error("[1, true, 3]"), "offset 4: expected a number");
  EXPECT_CONTAINS(json_error("[null, 1, 2]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[1, {}, 3]"), "offset 4: expected a number");
  EXPECT_CONTAINS(json_error("[1, NaN, 3]"), "offset 4: expected a number");
  EXPECT_CONTAINS(json_error("[1, Infinity, 3]"), "offset 4: expected a number");
  EXPECT_CONTAINS(json_error("[1, 2, \xC3\xA9]"),
                  "offset 7: expected a number but found byte 0xc3");
}

TEST(VectorParse, JsonRejectsNumbersOutsideTheGrammar) {
  EXPECT_CONTAINS(json_error("[+1, 2, 3]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[01, 2, 3]"), "offset 2: expected ',' or ']'");  // leading zero
  EXPECT_CONTAINS(json_error("[.5, 2, 3]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[1., 2, 3]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[1e, 2, 3]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[-, 2, 3]"), "offset 1: expected a number");
  EXPECT_CONTAINS(json_error("[0x10, 2, 3]"), "offset 2: expected ',' or ']'");
}

TEST(VectorParse, JsonOutOfFloatRangeIsRejected) {
  EXPECT_CONTAINS(
      json_error("[1, 1e999, 3]"),
      "ex.embedding: element 1 (1e999) is outside the float32 range; expected finite numbers");
  EXPECT_CONTAINS(json_error("[1, 2, -1e39]"), "element 2 (-1e39) is outside the float32 range");
  EXPECT_CONTAINS(json_error("[1" + std::string(400, '0') + ", 2, 3]"), "element 0 (1000");
  EXPECT_CONTAINS(json_error("[1" + std::string(400, '0') + "e-50, 2, 3]"), "element 0 (1000");
  // Too small to represent is zero, not an error.
  const std::string tiny = "0." + std::string(400, '0') + "1";
  const std::string tiny_big_mantissa = "1" + std::string(400, '0') + "e-800";
  const std::vector<float> v =
      parse_vector_json("[1e-999, " + tiny + ", " + tiny_big_mantissa + ", 2]", 4, "v");
  EXPECT_EQ(v, (std::vector<float>{0.0f, 0.0f, 0.0f, 1.0f}));
}

TEST(VectorParse, LooksLikeJsonArray) {
  EXPECT_TRUE(looks_like_json_array("[1,2]"));
  EXPECT_TRUE(looks_like_json_array(" \n\t[1,2]"));
  EXPECT_TRUE(looks_like_json_array("["));
  EXPECT_FALSE(looks_like_json_array(""));
  EXPECT_FALSE(looks_like_json_array("what is [1,2]?"));
  EXPECT_FALSE(looks_like_json_array("   "));
}

}  // namespace
}  // namespace iccache
