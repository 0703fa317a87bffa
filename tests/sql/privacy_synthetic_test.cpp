// Synthetic examples (docs/privacy.md): flagged by the hidden synthetic column, kept in a
// table with pii='reject', and selected, prompted, routed, fed back and evicted as any other.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

TEST(PrivacySynthetic, RejectTableServesSyntheticExamples) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, pii=reject)");
  db.exec("INSERT INTO ex(request, response, synthetic) VALUES"
          "('how do I reset my password', 'Open settings, choose Security, then Reset.', 1),"
          "('how do I change my e-mail address', 'Settings, Account, E-mail.', 1),"
          "('what are your opening hours', 'Nine to five on weekdays.', 1)");
  // A synthetic pair is scanned like any other: a generator that copied a real address in
  // is refused, naming it.
  EXPECT_EQ(db.error_of("INSERT INTO ex(request, response, synthetic) VALUES('mail me', 'at jo@example.com', 1)"),
            "ex.response: contains an e-mail address at byte offset 3, which pii='reject' refuses;"
            " expected text without personal data (or pii='redact' to store it as <EMAIL>)");
  // Selection (MATCH with the utility model), the prompt builder and routing see them.
  EXPECT_EQ(db.query("SELECT rowid, synthetic FROM ex WHERE ex MATCH 'reset my password' AND k = 1"),
            (Rows{{"1", "1"}}));
  EXPECT_EQ(db.scalar("SELECT example_ids FROM iccache_prompt('ex', 'how do I reset my password', 1)"), "[1]");
  const std::string decision =
      db.scalar("SELECT decision FROM iccache_route('ex', 'how do I reset my password', '[1]', 1000)");
  db.exec("SELECT iccache_feedback('ex', " + decision + ", 1.0)");
  // The manager: statistics and eviction by value, synthetic or not.
  db.exec("SELECT iccache_example_feedback('ex', '[1]', 'small', 0.9, 1001)");
  EXPECT_EQ(db.scalar("SELECT uses > 0 FROM ex WHERE rowid = 1"), "1");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE synthetic = 1"), "3");
  db.exec("SELECT iccache_evict('ex', 600)");
  EXPECT_EQ(db.scalar("SELECT count(*) < 3 FROM ex"), "1");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
