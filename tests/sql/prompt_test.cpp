// iccache_prompt through SQL: the prompt holds exactly the examples a MATCH returns (best
// last in the prompt, best first in example_ids), in chat and completion form, within the
// character budget, per tenant, with a caller vector. The empty table, an unknown tenant and
// the exact error of each bad argument are in slt/prompt.test.
#include <gtest/gtest.h>

#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

void make(Db& db) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, seed=1)");
  db.exec("INSERT INTO ex(rowid, request, response, tenant) VALUES"
          " (1, 'What is the capital of France?', 'Paris.', 'a'),"
          " (2, 'What is the capital city of Germany?', 'Berlin.', 'a'),"
          " (3, 'How many legs does a spider have?', 'Eight.', 'b'),"
          " (4, 'Capital of Italy, please?', 'Rome.', 'b'),"
          " (5, 'Say \"hi\" twice', 'hi' || char(10) || 'hi', 'a'),"
          " (6, 'What is the capital of Spain?', 'Madrid.', 'a'),"
          " (7, 'Which city is the capital of Japan?', 'Tokyo.', 'b')");
}

std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

struct Expected {
  std::string ids = "[", messages = "[", text;
};

// What iccache_prompt must return, built from the MATCH rows (id, request, response), best first.
Expected expected_from(const Rows& best_first, const std::string& request) {
  Expected e;
  for (size_t i = 0; i < best_first.size(); ++i) e.ids += (i ? "," : "") + best_first[i][0];
  e.ids += "]";
  for (size_t i = best_first.size(); i-- > 0;) {
    e.messages += "{\"role\":\"user\",\"content\":" + json_str(best_first[i][1]) + "},";
    e.messages += "{\"role\":\"assistant\",\"content\":" + json_str(best_first[i][2]) + "},";
    e.text += "Question: " + best_first[i][1] + "\nAnswer: " + best_first[i][2] + "\n\n";
  }
  e.messages += "{\"role\":\"user\",\"content\":" + json_str(request) + "}]";
  e.text += "Question: " + request + "\nAnswer:";
  return e;
}

TEST(Prompt, HoldsExactlyWhatMatchReturnsBestLast) {
  Db db;
  make(db);
  const std::string q = "capital of France";
  Rows match = db.query("SELECT rowid, request, response FROM ex WHERE ex MATCH '" + q + "' AND k = 3");
  ASSERT_FALSE(match.empty());
  Expected e = expected_from(match, q);
  Rows r = db.query("SELECT messages, prompt, example_ids, examples FROM iccache_prompt('ex', '" + q + "', 3, 0)");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0], e.messages);
  EXPECT_EQ(r[0][1], e.text);
  EXPECT_EQ(r[0][2], e.ids);
  EXPECT_EQ(r[0][3], std::to_string(match.size()));
  EXPECT_EQ(db.scalar("SELECT json_valid(messages) AND json_array_length(messages) = 2 * examples + 1"
                      " FROM iccache_prompt('ex', '" + q + "', 3, 0)"), "1");
}

TEST(Prompt, DefaultsAreFiveExamplesAndEightThousandChars) {
  Db db;
  make(db);
  Rows match = db.query("SELECT rowid, request, response FROM ex WHERE ex MATCH 'capital' AND k = 5");
  EXPECT_EQ(db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'capital')"),
            expected_from(match, "capital").ids);
  // An argument given as NULL takes its default too.
  EXPECT_EQ(db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'capital', NULL, NULL)"),
            expected_from(match, "capital").ids);
}

TEST(Prompt, CharsCountTheRequestAndKeptExamples) {
  Db db;
  make(db);
  Rows match = db.query("SELECT rowid, request, response FROM ex WHERE ex MATCH 'capital of Spain' AND k = 4");
  int64_t total = 17;  // "capital of Spain?" has 17 characters
  for (const auto& row : match) total += static_cast<int64_t>(row[1].size() + row[2].size());
  EXPECT_EQ(db.scalar("SELECT chars FROM iccache_prompt('ex', 'capital of Spain?', 4, 0)"), std::to_string(total));
}

TEST(Prompt, BudgetKeepsASubsequenceWithinMaxChars) {
  Db db;
  make(db);
  Rows match = db.query("SELECT rowid, request, response FROM ex WHERE ex MATCH 'capital city' AND k = 7");
  ASSERT_GE(match.size(), 2u);
  // A budget that holds the request and exactly the best example.
  const int64_t budget = 12 + static_cast<int64_t>(match[0][1].size() + match[0][2].size());
  Rows r = db.query("SELECT example_ids, chars, examples FROM iccache_prompt('ex', 'capital city', 7, " +
                    std::to_string(budget) + ")");
  EXPECT_EQ(r[0], (iccache_test::Row{"[" + match[0][0] + "]", std::to_string(budget), "1"}));
  // Tiny budget: the request alone, whole.
  EXPECT_EQ(db.query("SELECT example_ids, chars, messages FROM iccache_prompt('ex', 'capital city', 7, 3)"),
            (Rows{{"[]", "12", "[{\"role\":\"user\",\"content\":\"capital city\"}]"}}));
}

TEST(Prompt, TenantRestrictsTheExamples) {
  Db db;
  make(db);
  std::string ids = db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'capital', 7, 0, 'b')");
  Rows match = db.query("SELECT rowid, request, response FROM ex WHERE ex MATCH 'capital' AND k = 7 AND tenant = 'b'");
  EXPECT_EQ(ids, expected_from(match, "capital").ids);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM json_each((SELECT example_ids FROM iccache_prompt('ex', 'capital', 7, 0, 'b')))"
                      " WHERE value NOT IN (3, 4, 7)"), "0");
}

TEST(Prompt, CallerVectorSelectsWithEmbedderNone) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE v USING iccache(dim=2, embedder='none')");
  db.exec("INSERT INTO v(rowid, request, response, embedding) VALUES"
          " (1, 'east', 'E', '[1, 0]'), (2, 'north', 'N', '[0, 1]'), (3, 'north-east', 'NE', '[1, 1]')");
  Rows match = db.query("SELECT rowid, request, response FROM v WHERE v MATCH iccache_vector('[0.9, 0.1]') AND k = 2");
  EXPECT_EQ(db.scalar("SELECT messages FROM iccache_prompt('v', 'which way?', 2, 0)"
                      " WHERE embedding = '[0.9, 0.1]'"),
            expected_from(match, "which way?").messages);
  EXPECT_EQ(db.error_of("SELECT * FROM iccache_prompt('v', 'which way?')").substr(0, 16), "iccache_prompt: ");
}

TEST(Prompt, JoinsOverARequestsTable) {
  Db db;
  make(db);
  db.exec("CREATE TABLE q(id INTEGER PRIMARY KEY, text TEXT)");
  db.exec("INSERT INTO q VALUES (1, 'capital of France'), (2, 'spider legs')");
  Rows r = db.query("SELECT q.id, p.examples FROM q, iccache_prompt('ex', q.text, 2, 0) AS p ORDER BY q.id");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0][1], db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'capital of France' AND k = 2"));
}

}  // namespace
