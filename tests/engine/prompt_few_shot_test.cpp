// Few-shot prompt assembly (engine/prompt/few_shot.h): exact messages and text, best example
// last, the character budget, JSON escaping and code-point counting.
#include "prompt/few_shot.h"

#include <gtest/gtest.h>

namespace iccache {
namespace {

std::vector<FewShotExample> three() {
  return {{7, "best q", "best a"}, {3, "second q", "second a"}, {9, "third q", "third a"}};
}

TEST(FewShot, BestExampleLastInBothForms) {
  FewShotPrompt p = build_few_shot(three(), "new q", 0);
  EXPECT_EQ(p.ids, (std::vector<int64_t>{7, 3, 9}));
  EXPECT_EQ(p.messages,
            "[{\"role\":\"user\",\"content\":\"third q\"},{\"role\":\"assistant\",\"content\":\"third a\"},"
            "{\"role\":\"user\",\"content\":\"second q\"},{\"role\":\"assistant\",\"content\":\"second a\"},"
            "{\"role\":\"user\",\"content\":\"best q\"},{\"role\":\"assistant\",\"content\":\"best a\"},"
            "{\"role\":\"user\",\"content\":\"new q\"}]");
  EXPECT_EQ(p.text,
            "Question: third q\nAnswer: third a\n\nQuestion: second q\nAnswer: second a\n\n"
            "Question: best q\nAnswer: best a\n\nQuestion: new q\nAnswer:");
  EXPECT_EQ(p.chars, 5 + 12 + 16 + 14);
}

TEST(FewShot, NoExamples) {
  FewShotPrompt p = build_few_shot({}, "q", 100);
  EXPECT_TRUE(p.ids.empty());
  EXPECT_EQ(p.messages, "[{\"role\":\"user\",\"content\":\"q\"}]");
  EXPECT_EQ(p.text, "Question: q\nAnswer:");
  EXPECT_EQ(p.chars, 1);
}

TEST(FewShot, BudgetSkipsWhatDoesNotFitAndKeepsSmallerLaterOnes) {
  std::vector<FewShotExample> ex = {{1, "aaaa", "bbbb"}, {2, std::string(50, 'x'), "y"}, {3, "cc", "dd"}};
  // request 2 + 8 = 10; example 2 (51) does not fit in 16; example 3 (4) does.
  FewShotPrompt p = build_few_shot(ex, "rq", 16);
  EXPECT_EQ(p.ids, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(p.chars, 14);
  EXPECT_EQ(build_few_shot(ex, "rq", 14).ids, (std::vector<int64_t>{1, 3}));  // exactly full
  EXPECT_EQ(build_few_shot(ex, "rq", 13).ids, (std::vector<int64_t>{1}));
}

TEST(FewShot, RequestOverBudgetIsKeptWholeWithoutExamples) {
  FewShotPrompt p = build_few_shot(three(), std::string(30, 'r'), 10);
  EXPECT_TRUE(p.ids.empty());
  EXPECT_EQ(p.chars, 30);
  EXPECT_EQ(p.text, "Question: " + std::string(30, 'r') + "\nAnswer:");
}

TEST(FewShot, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_chars("h\xC3\xA9llo"), 5);           // é: 2 bytes
  EXPECT_EQ(count_chars("\xE6\x97\xA5\xE6\x9C\xAC"), 2);  // 日本
  EXPECT_EQ(count_chars("\xF0\x9F\x98\x80"), 1);          // an emoji: 4 bytes
  // 3 + 2 code points fit a budget of 5 although they take 11 bytes.
  FewShotPrompt p = build_few_shot({{1, "\xE6\x97\xA5", "\xE6\x9C\xAC"}}, "abc", 5);
  EXPECT_EQ(p.ids, (std::vector<int64_t>{1}));
}

TEST(FewShot, JsonEscaping) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\nd\te\x01 \xC3\xA9", 13));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\te\\u0001 \xC3\xA9\"");
  FewShotPrompt p = build_few_shot({{1, "say \"hi\"", "line1\nline2"}}, "q\\", 0);
  EXPECT_EQ(p.messages,
            "[{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\"},"
            "{\"role\":\"assistant\",\"content\":\"line1\\nline2\"},"
            "{\"role\":\"user\",\"content\":\"q\\\\\"}]");
}

}  // namespace
}  // namespace iccache
