#include "embed/hash_embedder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"

namespace iccache {
namespace {

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

double norm(const std::vector<float>& v) { return std::sqrt(dot(v, v)); }

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Message of the iccache::Error thrown by embedding `text`, or "" when nothing is thrown.
std::string embed_error(std::string_view text) {
  HashEmbedder e(64);
  try {
    e.embed(text);
  } catch (const Error& err) {
    return err.what();
  }
  return "";
}

constexpr const char* kMathA =
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips "
    "in May. How many clips did Natalia sell altogether in April and May?";
constexpr const char* kMathB =
    "Natalia sold 48 clips in April and half as many clips in May. How many clips did she "
    "sell in April and May altogether?";
constexpr const char* kCooking =
    "How long should I roast a whole chicken in the oven at 200 degrees, and should I cover it?";

TEST(HashEmbedder, RejectsDimensionsOutOfRange) {
  EXPECT_THROW(HashEmbedder(0), Error);
  EXPECT_THROW(HashEmbedder(4097), Error);
  EXPECT_NO_THROW(HashEmbedder(1));
  EXPECT_NO_THROW(HashEmbedder(4096));
}

TEST(HashEmbedder, OutputHasUnitNorm) {
  HashEmbedder e(256);
  for (const char* text : {"hello", "hello world", kMathA, kCooking}) {
    const std::vector<float> v = e.embed(text);
    ASSERT_EQ(v.size(), 256u);
    EXPECT_NEAR(norm(v), 1.0, 1e-6) << text;
  }
}

TEST(HashEmbedder, IsBitIdenticalAcrossCallsAndInstances) {
  HashEmbedder first(256);
  const std::vector<float> a = first.embed(kMathA);
  // Other texts in between change the scratch map's bucket history.
  first.embed(kCooking);
  first.embed(kMathB);
  const std::vector<float> b = first.embed(kMathA);
  HashEmbedder second(256);
  const std::vector<float> c = second.embed(kMathA);
  EXPECT_TRUE(bit_identical(a, b));
  EXPECT_TRUE(bit_identical(a, c));
}

TEST(HashEmbedder, PointerOverloadMatchesVectorOverload) {
  HashEmbedder e(32);
  std::vector<float> out(32, 123.0f);
  e.embed("some text", out.data());
  EXPECT_TRUE(bit_identical(out, e.embed("some text")));
}

// Golden values printed once from this implementation. If this test fails, the hashing or
// weighting changed, and every stored hash embedding (and any cached index) is invalid.
TEST(HashEmbedder, GoldenValuesArePinned) {
  HashEmbedder e(8);
  const std::vector<float> v = e.embed("hello world");
  EXPECT_FLOAT_EQ(v[0], 0.6442101f);
  EXPECT_FLOAT_EQ(v[1], -0.257684022f);
  EXPECT_FLOAT_EQ(v[2], -0.128842011f);
  EXPECT_FLOAT_EQ(v[3], 0.128842011f);
}

TEST(HashEmbedder, IdenticalTextHasCosineOne) {
  HashEmbedder e(256);
  EXPECT_NEAR(dot(e.embed(kMathA), e.embed(kMathA)), 1.0, 1e-6);
}

// Non-ASCII literals below are UTF-8 source text (GCC's default execution charset).
TEST(HashEmbedder, IgnoresCase) {
  HashEmbedder e(256);
  EXPECT_GT(dot(e.embed("What is THE capital"), e.embed("what is the capital")), 0.999);
  // Latin-1, Greek and Cyrillic uppercase fold too.
  EXPECT_GT(dot(e.embed("ÜBER MÜNCHEN"), e.embed("über münchen")), 0.999);
  EXPECT_GT(dot(e.embed("ΑΘΗΝΑ"), e.embed("αθηνα")), 0.999);
  EXPECT_GT(dot(e.embed("МОСКВА"), e.embed("москва")), 0.999);
}

TEST(HashEmbedder, PunctuationAndSpacingDoNotMatter) {
  HashEmbedder e(256);
  EXPECT_GT(dot(e.embed("what is the capital?"), e.embed("  What, is the capital!!")), 0.999);
}

TEST(HashEmbedder, RelatedTextsAreCloserThanUnrelated) {
  HashEmbedder e(256);
  const double related = dot(e.embed(kMathA), e.embed(kMathB));
  const double unrelated = dot(e.embed(kMathA), e.embed(kCooking));
  EXPECT_GT(related, 0.6);
  EXPECT_LT(unrelated, 0.3);
  EXPECT_GT(related, unrelated + 0.3);
}

TEST(HashEmbedder, WordOrderMattersThroughBigrams) {
  HashEmbedder e(1024);
  const double swapped = dot(e.embed("dog bites man"), e.embed("man bites dog"));
  EXPECT_LT(swapped, 0.99);
  EXPECT_GT(swapped, 0.5);
}

TEST(HashEmbedder, CharacterGramsMatchInflections) {
  HashEmbedder e(1024);
  EXPECT_GT(dot(e.embed("calculate"), e.embed("calculating")), 0.3);
}

TEST(HashEmbedder, EmbedsNonAsciiText) {
  HashEmbedder e(256);
  EXPECT_NEAR(norm(e.embed("Grüße aus München")), 1.0, 1e-6);
  const std::vector<float> text = e.embed("日本語のテキスト");
  EXPECT_NEAR(norm(text), 1.0, 1e-6);
  // Unsegmented Japanese is one "word", yet still matches through character n-grams.
  EXPECT_GT(dot(text, e.embed("日本語のテキストです")),
            dot(text, e.embed("今日は天気がいい")) + 0.3);
}

TEST(HashEmbedder, DimensionOneGivesPlusOrMinusOne) {
  HashEmbedder e(1);
  const std::vector<float> v = e.embed("hello world");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(std::fabs(v[0]), 1.0f);
}

TEST(HashEmbedder, RejectsInvalidUtf8WithOffset) {
  const std::string msg = embed_error("valid start \xFF");
  EXPECT_NE(msg.find("is not valid UTF-8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset 12"), std::string::npos) << msg;
  EXPECT_NE(embed_error("\xED\xA0\x80").find("offset 0"), std::string::npos);  // surrogate
}

TEST(HashEmbedder, RejectsTextWithoutWords) {
  for (const char* text : {"", "   ", " ,.!? -- ()", "\u00A0\u3001\u2014"}) {
    const std::string msg = embed_error(text);
    EXPECT_NE(msg.find("has no words to embed"), std::string::npos) << "text: " << text;
  }
}

}  // namespace
}  // namespace iccache
