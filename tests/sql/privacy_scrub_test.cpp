// The pii table option (INSERT and UPDATE, queries) and iccache_scrub(), with every error.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Row;
using iccache_test::Rows;

namespace {

TEST(PrivacyScrub, FunctionModes) {
  Db db;
  EXPECT_EQ(db.scalar("SELECT iccache_scrub('mail a.b@example.com or +44 20 7946 0958')"),
            "mail <EMAIL> or <PHONE>");
  EXPECT_EQ(db.scalar("SELECT iccache_scrub('card 4111 1111 1111 1111', 'redact')"), "card <CARD>");
  EXPECT_EQ(db.scalar("SELECT iccache_scrub('card 4111 1111 1111 1111', 'OFF')"),
            "card 4111 1111 1111 1111");
  EXPECT_EQ(db.scalar("SELECT iccache_scrub('no personal data', 'reject')"), "no personal data");
  EXPECT_EQ(db.scalar("SELECT iccache_scrub(NULL) IS NULL"), "1");
  EXPECT_EQ(db.scalar("SELECT typeof(iccache_scrub(''))"), "text");
}

TEST(PrivacyScrub, FunctionErrors) {
  Db db;
  EXPECT_EQ(db.error_of("SELECT iccache_scrub('from 10.0.0.1', 'reject')"),
            "iccache_scrub: the text: contains an IP address at byte offset 5, which"
            " pii='reject' refuses; expected text without personal data (or pii='redact' to"
            " store it as <IP>)");
  EXPECT_EQ(db.error_of("SELECT iccache_scrub('x', 'mask')"),
            "iccache_scrub: mode must be 'off', 'redact' or 'reject'; received 'mask'");
  EXPECT_EQ(db.error_of("SELECT iccache_scrub('x', NULL)"),
            "iccache_scrub: mode must be 'off', 'redact' or 'reject'; received NULL");
  EXPECT_EQ(db.error_of("SELECT iccache_scrub(x'00ff')"),
            "iccache_scrub: text must be TEXT; received a BLOB of 2 bytes");
  EXPECT_EQ(db.error_of("SELECT iccache_scrub(42)"), "iccache_scrub: text must be TEXT; received 42");
  EXPECT_EQ(db.error_of("SELECT iccache_scrub(CAST(x'61ff' AS TEXT))"),
            "iccache_scrub: the text is not valid UTF-8 (invalid byte at offset 1); expected UTF-8 text");
}

TEST(PrivacyScrub, OptionValues) {
  Db db;
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE ex USING iccache(pii=mask)"),
            "ex: option pii=mask is not valid; expected 'off', 'redact' or 'reject'");
  db.exec("CREATE VIRTUAL TABLE a USING iccache(dim=16, pii='REDACT')");
  db.exec("CREATE VIRTUAL TABLE b USING iccache(dim=16, pii=off)");
  db.exec("CREATE VIRTUAL TABLE c USING iccache(dim=16)");  // default: off
  for (const char* t : {"a", "b", "c"})
    db.exec(std::string("INSERT INTO ") + t + "(request, response) VALUES('ip 10.0.0.1', 'ok')");
  EXPECT_EQ(db.scalar("SELECT request FROM a"), "ip <IP>");
  EXPECT_EQ(db.scalar("SELECT request FROM b"), "ip 10.0.0.1");
  EXPECT_EQ(db.scalar("SELECT request FROM c"), "ip 10.0.0.1");
}

TEST(PrivacyScrub, RedactOnInsertAndUpdate) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, pii=redact)");
  db.exec("INSERT INTO ex(request, response) VALUES('my mail is jo@example.com',"
          " 'key sk-abcdefghijklmnopqrstuvwxyz0123')");
  EXPECT_EQ(db.query("SELECT request, response FROM ex")[0], (Row{"my mail is <EMAIL>", "key <SECRET>"}));
  // The vector is the redacted text's: a query for the redacted text is an exact match, and
  // so is the raw query (it is redacted the same way before embedding).
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'my mail is <EMAIL>' AND k = 1"),
            "1.0000");
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'my mail is other@example.org' AND k = 1"),
            "1.0000");
  db.exec("UPDATE ex SET response = 'call +1 (415) 555-2671' WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT response FROM ex"), "call <PHONE>");
  db.exec("UPDATE ex SET request = 'iban DE89 3704 0044 0532 0130 00' WHERE rowid = 1");
  EXPECT_EQ(db.scalar("SELECT request FROM ex"), "iban <IBAN>");
  EXPECT_EQ(db.scalar("SELECT printf('%.4f', similarity) FROM ex WHERE ex MATCH 'iban <IBAN>' AND k = 1"),
            "1.0000");
  // The compressed copy holds no raw bytes either (texts over 64 bytes are lz4-encoded).
  const std::string long_text = "contact " + std::string(100, 'x') + " at zz.top@example.com";
  db.exec("INSERT INTO ex(request, response) VALUES('" + long_text + "', 'r')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_data WHERE instr(request, 'zz.top') > 0"), "0");
  EXPECT_EQ(db.scalar("SELECT substr(request, -8) FROM ex WHERE rowid = 2"), " <EMAIL>");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(PrivacyScrub, RejectChangesNothing) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32, pii=reject)");
  db.exec("INSERT INTO ex(request, response) VALUES('clean request', 'clean response')");
  EXPECT_EQ(db.error_of("INSERT INTO ex(request, response) VALUES('write to a@b.co', 'ok')"),
            "ex.request: contains an e-mail address at byte offset 9, which pii='reject' refuses;"
            " expected text without personal data (or pii='redact' to store it as <EMAIL>)");
  EXPECT_EQ(db.error_of("INSERT INTO ex(request, response) VALUES('ok', 'AKIAIOSFODNN7EXAMPLE')"),
            "ex.response: contains a secret (API key, token or private key) at byte offset 0,"
            " which pii='reject' refuses; expected text without personal data (or pii='redact'"
            " to store it as <SECRET>)");
  EXPECT_EQ(db.error_of("UPDATE ex SET response = 'pay DE89370400440532013000' WHERE rowid = 1"),
            "ex.response: contains an IBAN at byte offset 4, which pii='reject' refuses;"
            " expected text without personal data (or pii='redact' to store it as <IBAN>)");
  EXPECT_EQ(db.error_of("UPDATE ex SET request = 'at 2001:db8::1' WHERE rowid = 1"),
            "ex.request: contains an IP address at byte offset 3, which pii='reject' refuses;"
            " expected text without personal data (or pii='redact' to store it as <IP>)");
  // One bad row in a multi-row INSERT: the statement is undone as a whole.
  EXPECT_NE(db.error_of("INSERT INTO ex(request, response) VALUES('fine', 'x'), ('5555555555554444', 'y')"),
            "");
  EXPECT_EQ(db.query("SELECT rowid, request, response FROM ex"),
            (Rows{{"1", "clean request", "clean response"}}));
  // A query holding personal data is not an error (nothing of it is stored).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'clean request a@b.co' AND k = 1"), "1");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
