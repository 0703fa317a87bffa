// Few-shot prompts from selected examples: the OpenAI-style chat messages array and the
// plain-completion text that iccache_prompt returns, trimmed to a character budget.
//
// Order (documented in docs/sql-reference.md): examples are given best first and placed in
// the prompt best LAST, so the most useful example sits right before the request; models
// weigh the nearest context most (Liu et al. 2022, "What makes good in-context examples for
// GPT-3?", found this order at least as good as the reverse).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iccache {

struct FewShotExample {
  int64_t id = 0;
  std::string request;
  std::string response;
};

struct FewShotPrompt {
  std::vector<int64_t> ids;   // examples kept, best first (the order iccache_route expects)
  std::string messages;       // JSON array of {"role","content"} objects
  std::string text;           // the completion template, ending in "Answer:"
  int64_t chars = 0;          // characters (code points) of the request and kept examples
};

// Labels of the completion template: "Question: <request>\nAnswer: <response>\n\n" per
// example, then "Question: <request>\nAnswer:". Stop sequence for completion calls: kStop.
inline constexpr std::string_view kQuestionLabel = "Question: ";
inline constexpr std::string_view kAnswerLabel = "Answer:";
inline constexpr std::string_view kStop = "\nQuestion:";

// What a prompt holds when the caller does not say (iccache_prompt's k and max_chars, as
// docs/sql-reference.md documents them): five examples within 8,000 code points.
inline constexpr int64_t kDefaultExamples = 5;
inline constexpr int64_t kDefaultMaxChars = 8000;

// Keeps examples (best first) greedily while request + kept examples' request and response
// stay within max_chars code points; an example that does not fit is skipped and smaller,
// later ones may still fit. The request is always kept whole, even alone over the budget:
// cutting the user's words is the caller's call. max_chars <= 0 means no budget.
// Texts must be valid UTF-8.
FewShotPrompt build_few_shot(const std::vector<FewShotExample>& best_first,
                             std::string_view request, int64_t max_chars);

// Code points in valid UTF-8 text.
int64_t count_chars(std::string_view text);

// Appends `text` as a JSON string literal (quotes included) to out.
void append_json_string(std::string& out, std::string_view text);

}  // namespace iccache
