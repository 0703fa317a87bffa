#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace iccache::utf8 {
namespace {

using namespace std::string_literals;

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ascii"));
  EXPECT_TRUE(valid("nul\0inside"s));
  EXPECT_TRUE(
      valid("Gr\xC3\xBC\xC3\x9F"
            "e"));                                 // Grüße
  EXPECT_TRUE(valid("\xE6\x97\xA5\xE6\x9C\xAC"));  // 日本
  EXPECT_TRUE(valid("\xF0\x9F\x98\x80"));          // U+1F600
  EXPECT_TRUE(valid("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the last code point
  EXPECT_TRUE(valid("\xED\x9F\xBF"));              // U+D7FF, just below surrogates
  EXPECT_TRUE(valid("\xEE\x80\x80"));              // U+E000, just above surrogates
}

TEST(Utf8, RejectsOverlongForms) {
  EXPECT_FALSE(valid("\xC0\xAF"));  // '/' in two bytes
  EXPECT_FALSE(valid("\xC1\xBF"));
  EXPECT_FALSE(valid("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(valid("\xE0\x9F\xBF"));      // U+07FF in three bytes
  EXPECT_FALSE(valid("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(Utf8, RejectsSurrogates) {
  EXPECT_FALSE(valid("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(valid("\xED\xBF\xBF"));  // U+DFFF
}

TEST(Utf8, RejectsCodePointsAboveMax) {
  EXPECT_FALSE(valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid("\xFF"));
}

TEST(Utf8, RejectsTruncatedAndStraySequences) {
  EXPECT_FALSE(valid("\xC3"));
  EXPECT_FALSE(valid("\xE6\x97"));
  EXPECT_FALSE(valid("\xF0\x9F\x98"));
  EXPECT_FALSE(valid("\x80"));    // continuation byte without a lead
  EXPECT_FALSE(valid("\xC3(x"));  // lead followed by a non-continuation
}

TEST(Utf8, FirstInvalidGivesTheOffset) {
  EXPECT_EQ(first_invalid("abc"), 3u);
  EXPECT_EQ(first_invalid(""), 0u);
  EXPECT_EQ(first_invalid("ab\xFF"
                          "cd"),
            2u);
  EXPECT_EQ(first_invalid("\xC3\xBC"
                          "x\xE6\x97"),
            3u);
  EXPECT_EQ(first_invalid("ok\xED\xA0\x80"), 2u);
}

TEST(Utf8, DecodeReturnsCodePointAndLength) {
  const std::string text = "a\xC3\xBC\xE6\x97\xA5\xF0\x9F\x98\x80";
  size_t len = 0;
  EXPECT_EQ(decode(text, 0, &len), U'a');
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(decode(text, 1, &len), U'\u00FC');
  EXPECT_EQ(len, 2u);
  EXPECT_EQ(decode(text, 3, &len), U'\u65E5');
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(decode(text, 6, &len), U'\U0001F600');
  EXPECT_EQ(len, 4u);
}

TEST(Utf8, AppendRoundTripsThroughDecode) {
  for (char32_t cp : {U'\0', U'A', U'\u007F', U'\u0080', U'\u07FF', U'\u0800', U'\uFFFF',
                      U'\U00010000', U'\U0010FFFF'}) {
    std::string s;
    append(s, cp);
    ASSERT_TRUE(valid(s)) << "cp " << static_cast<uint32_t>(cp);
    size_t len = 0;
    EXPECT_EQ(decode(s, 0, &len), cp);
    EXPECT_EQ(len, s.size());
  }
  std::string s;
  append(s, U'\u00FC');
  EXPECT_EQ(s, "\xC3\xBC");
}

TEST(Utf8, RequireValidNamesTheOffsetInTheOneWording) {
  EXPECT_NO_THROW(require_valid("caf\xC3\xA9", "t: request"));
  try {
    require_valid("ab\xC3(", "iccache_prompt: request");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "iccache_prompt: request is not valid UTF-8 (invalid byte at offset 2); expected UTF-8 text");
  }
}

}  // namespace
}  // namespace iccache::utf8
