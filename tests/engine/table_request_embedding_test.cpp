// How the iccache table embeds request text (engine/table/request_embedding.h): UTF-8 first,
// embedder='none' refuses text, queries are redacted under the pii option.
#include <gtest/gtest.h>

#include "embed/hash_embedder.h"
#include "error_test_util.h"
#include "table/request_embedding.h"

namespace iccache::table {
namespace {

TEST(RequestEmbedding, TextIsEmbeddedWithTheTablesEmbedder) {
  HashEmbedder e(8);
  EXPECT_EQ(embed_request(&e, 8, "capital of France", "ex MATCH"), e.embed("capital of France"));
  EXPECT_EQ(embed_request(&e, 8, "capital of France", "ex MATCH").size(), 8u);
}

TEST(RequestEmbedding, Errors) {
  HashEmbedder e(8);
  EXPECT_EQ(error_of([&] { embed_request(&e, 8, "ab\xc3", "ex MATCH"); }),
            "ex MATCH: the text is not valid UTF-8 (invalid byte at offset 2); expected UTF-8 text");
  // UTF-8 is checked before the embedder: the same error without one.
  EXPECT_EQ(error_of([&] { embed_request(nullptr, 8, "ab\xc3", "ex MATCH"); }),
            "ex MATCH: the text is not valid UTF-8 (invalid byte at offset 2); expected UTF-8 text");
  EXPECT_EQ(error_of([&] { embed_request(nullptr, 4, "hello", "ex.request"); }),
            "ex.request: received TEXT, which is always request text, but the table has embedder='none'; expected"
            " a vector as a float32 BLOB of 4 dimensions (iccache_vector('[...]') makes one from a JSON array)");
  EXPECT_EQ(error_of([&] { embed_request(nullptr, 4, " [1, 2]", "ex MATCH"); }),
            "ex MATCH: received TEXT, which is always request text, but the table has embedder='none'; expected"
            " a vector as a float32 BLOB of 4 dimensions: write iccache_vector('[...]') around a JSON array");
  EXPECT_EQ(error_of([] { require_utf8("ok", "f"); }), "");
}

TEST(RequestEmbedding, QueriesAreRedactedUnderThePiiOption) {
  HashEmbedder e(16);
  const std::string text = "mail me at jane.doe@example.com please";
  std::string redacted;
  ASSERT_TRUE(redact_pii(text, &redacted));
  EXPECT_EQ(embed_query(&e, 16, PiiMode::kRedact, text, "q"), e.embed(redacted));
  EXPECT_EQ(embed_query(&e, 16, PiiMode::kReject, text, "q"), e.embed(redacted));
  EXPECT_EQ(embed_query(&e, 16, PiiMode::kOff, text, "q"), e.embed(text));
  EXPECT_NE(e.embed(text), e.embed(redacted));
  // Invalid UTF-8 is not redacted but refused, as any request text.
  EXPECT_EQ(error_of([&] { embed_query(&e, 16, PiiMode::kRedact, "a\xff", "q"); }),
            "q: the text is not valid UTF-8 (invalid byte at offset 1); expected UTF-8 text");
}

}  // namespace
}  // namespace iccache::table
