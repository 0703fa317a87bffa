// The personal-data scanner (engine/privacy): exact redactions, boundaries, checksums, and
// texts that look close but must stay untouched.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/error.h"
#include "privacy/pii_scanner.h"

namespace iccache {
namespace {

std::string redact(std::string_view s) {
  std::string out;
  return redact_pii(s, &out) ? out : std::string(s);
}

TEST(PiiScanner, Emails) {
  EXPECT_EQ(redact("mail john.smith+tag@example.co.uk today"), "mail <EMAIL> today");
  EXPECT_EQ(redact("(a_b-c%d@mail-server.example.org)."), "(<EMAIL>).");
  EXPECT_EQ(redact("mailto:x@y.io"), "mailto:<EMAIL>");
  // No dotted domain, a numeric top-level label, or a local part over 64 bytes: no address.
  EXPECT_EQ(redact("user@localhost and @handle and a@b.c1"), "user@localhost and @handle and a@b.c1");
  EXPECT_EQ(redact(std::string(65, 'a') + "@example.com"), std::string(65, 'a') + "@example.com");
}

TEST(PiiScanner, Phones) {
  EXPECT_EQ(redact("call +44 20 7946 0958 now"), "call <PHONE> now");
  EXPECT_EQ(redact("+1 (415) 555-2671"), "<PHONE>");
  EXPECT_EQ(redact("tel:+49-30-1234567."), "tel:<PHONE>.");
  EXPECT_EQ(redact("0044 20 7946 0958"), "<PHONE>");
  EXPECT_EQ(redact("(415) 555-2671 or 415-555-2671 or 415.555.2671"),
            "<PHONE> or <PHONE> or <PHONE>");
  // Arithmetic, short numbers, too many digits, and a bare long number are not phones.
  EXPECT_EQ(redact("3+4 = 7, +15 points, +1234567890123456, 00123456789"),
            "3+4 = 7, +15 points, +1234567890123456, 00123456789");
  EXPECT_EQ(redact("415-555-26710"), "415-555-26710");
}

TEST(PiiScanner, CardsAreLuhnChecked) {
  EXPECT_EQ(redact("card 4111 1111 1111 1111 exp"), "card <CARD> exp");
  EXPECT_EQ(redact("5555-5555-5555-4444"), "<CARD>");
  EXPECT_EQ(redact("amex:378282246310005"), "amex:<CARD>");
  EXPECT_EQ(redact("4111111111111112"), "4111111111111112");       // Luhn fails
  EXPECT_EQ(redact("1234567812345670"), "1234567812345670");       // Luhn ok, no issuer
  EXPECT_EQ(redact("41111111111111110"), "41111111111111110");     // 17 digits for Visa
  EXPECT_EQ(redact("4111 1111-1111 1111"), "4111 1111-1111 1111"); // mixed separators
  EXPECT_EQ(redact("x4111111111111111"), "x4111111111111111");     // inside a word
}

TEST(PiiScanner, IbansAreMod97Checked) {
  EXPECT_EQ(redact("IBAN DE89 3704 0044 0532 0130 00 please"), "IBAN <IBAN> please");
  EXPECT_EQ(redact("GB82WEST12345698765432"), "<IBAN>");
  EXPECT_EQ(redact("to GB82 WEST 1234 5698 7654 32 TODAY"), "to <IBAN> TODAY");
  EXPECT_EQ(redact("DE89 3704 0044 0532 0130 01"), "DE89 3704 0044 0532 0130 01");
}

TEST(PiiScanner, IpAddresses) {
  EXPECT_EQ(redact("from 192.168.1.20, to 10.0.0.1."), "from <IP>, to <IP>.");
  EXPECT_EQ(redact("2001:db8:85a3::8a2e:370:7334 and fe80::1 and ::1"),
            "<IP> and <IP> and <IP>");
  EXPECT_EQ(redact("2001:0db8:0000:0000:0000:ff00:0042:8329"), "<IP>");
  EXPECT_EQ(redact("::ffff:192.0.2.128"), "<IP>");
  // Versions, outline numbers, octets over 255, clock times, C++ names, MAC addresses.
  EXPECT_EQ(redact("v1.2.3.4 1.2.3.4.5 256.1.1.1 12:30:45 std::vector Add::dec 00:1a:2b:3c:4d:5e"),
            "v1.2.3.4 1.2.3.4.5 256.1.1.1 12:30:45 std::vector Add::dec 00:1a:2b:3c:4d:5e");
}

// An address whose first group opens with a hex letter is found from its first ':' (the scan
// does not stop at every word that starts with a-f), with the same bounds and rules.
TEST(PiiScanner, Ipv6OpeningWithALetter) {
  EXPECT_EQ(redact("abcd:ef01:2345:6789:abcd:ef01:2345:6789, DEAD:BEEF::1 and fe80::1%eth0"),
            "<IP>, <IP> and <IP>%eth0");
  EXPECT_EQ(redact("cafe::babe"), "cafe::babe");  // a "::" form needs a digit (C++ names)
  EXPECT_EQ(redact("cafe:babe:dead:beef"), "cafe:babe:dead:beef");  // four groups, no "::"
  EXPECT_EQ(redact("x.fe80::1 abcde::1 ab_fe80::1"), "x.fe80::1 abcde::1 ab_fe80::1");
  const auto m = next_pii("see fe80::1", 0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 4u);
  EXPECT_EQ(m->end, 11u);
  EXPECT_FALSE(next_pii("fe80::1", 1));  // from inside the group: "e80" is not at a boundary
  EXPECT_FALSE(next_pii("fe80::1@example", 0));  // the local part of an address
}

// The sixteen-bytes-at-a-time prefilter never drops a byte the byte-wise scan would try:
// both scans agree on every start offset of random texts dense in what the detectors look
// for (fragments of every kind, separators, hex, case), 1 to 90 bytes long so that matches
// straddle the 16-byte blocks and the padded tail.
TEST(PiiScanner, VectorisedScanAgreesWithBytewise) {
  static const char* kPieces[] = {
      "jo@example.com", "+44 20 7946 0958", "(415) 555-2671", "415.555.2671", "0044 20 7946 0958",
      "4111 1111 1111 1111", "4111-1111-1111-1111", "378282246310005", "DE89 3704 0044 0532 0130 00",
      "GB82WEST12345698765432", "192.168.1.20", "2001:db8::1", "fe80::1", "DEAD:BEEF::1", "::ffff:10.0.0.1",
      "sk-abcdefghijklmnopqrstuvwxyz", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "AKIAABCDEFGHIJKLMNOP",
      "xoxb-1234567890-abc", "eyJhbGciOiJI.eyJzdWIiOiIx.SflKxwRJSMeKKF2Q", "Bearer abcdefghijklmnop1234",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "1.2.3.4.5", "12:30:45",
      "std::vector", "é1234567890123", "v1.2.3.4"};
  const std::string bytes = "0123456789abcdefABCDEFxyzsrgkhoeyJIKSAGBTl::..--++(()) @@_/=~%\xc3\xa9\n";
  std::mt19937 rng(18);
  long compared = 0, found = 0;
  for (int t = 0; t < 4000; ++t) {
    std::string s;
    const size_t len = 1 + rng() % 90;
    while (s.size() < len) {
      if (rng() % 4 == 0) {
        s += kPieces[rng() % (sizeof kPieces / sizeof *kPieces)];
      } else {
        s += bytes[rng() % bytes.size()];
      }
    }
    for (size_t from = 0; from <= s.size(); ++from) {
      const auto a = next_pii(s, from);
      const auto b = detail::next_pii_bytewise(s, from);
      ASSERT_EQ(a.has_value(), b.has_value()) << "from " << from << " in " << s;
      if (!a) continue;
      ++found;
      ASSERT_EQ(a->kind, b->kind) << "from " << from << " in " << s;
      ASSERT_EQ(a->begin, b->begin) << "from " << from << " in " << s;
      ASSERT_EQ(a->end, b->end) << "from " << from << " in " << s;
      ++compared;
    }
  }
  EXPECT_GT(found, 10000);  // the texts are dense enough to exercise every detector
}

TEST(PiiScanner, Secrets) {
  EXPECT_EQ(redact("key=sk-proj-abcdefghijklmnopqrstuvwxyz012345"), "key=<SECRET>");
  EXPECT_EQ(redact("ghp_0123456789abcdefghijABCDEFGHIJ012345 ok"), "<SECRET> ok");
  EXPECT_EQ(redact("AKIAIOSFODNN7EXAMPLE"), "<SECRET>");
  EXPECT_EQ(redact("xoxb-1234567890-abcdefghij"), "<SECRET>");
  EXPECT_EQ(redact("AIzaSyA-1234567890abcdefghijklmnopqrstu"), "<SECRET>");
  EXPECT_EQ(redact("Authorization: Bearer abc.DEF-123_456~xyz/+=."), "Authorization: Bearer <SECRET>.");
  EXPECT_EQ(redact("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "<SECRET>");
  EXPECT_EQ(redact("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----\nb"),
            "a\n<SECRET>\nb");
  EXPECT_EQ(redact("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk"), "<SECRET>");
  // Too short, wrong length, a public certificate, prose.
  EXPECT_EQ(redact("sk-short task-abcdefghijklmnopqrstuvwxyz AKIA123 bearer token"),
            "sk-short task-abcdefghijklmnopqrstuvwxyz AKIA123 bearer token");
  EXPECT_EQ(redact("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
}

TEST(PiiScanner, MatchesAreOrderedWithOffsets) {
  const std::string s = "a@b.co 4111111111111111 10.1.2.3";
  auto m = next_pii(s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, PiiKind::kEmail);
  EXPECT_EQ(m->begin, 0u);
  EXPECT_EQ(m->end, 6u);
  m = next_pii(s, m->end);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, PiiKind::kCard);
  EXPECT_EQ(m->begin, 7u);
  EXPECT_EQ(m->end, 23u);
  m = next_pii(s, m->end);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, PiiKind::kIp);
  EXPECT_EQ(m->begin, 24u);
  EXPECT_FALSE(next_pii(s, m->end));
}

TEST(PiiScanner, CleanTextIsNotCopied) {
  std::string out = "untouched";
  EXPECT_FALSE(redact_pii("Natalia sold clips to 48 of her friends in April.", &out));
  EXPECT_EQ(out, "untouched");
  EXPECT_FALSE(redact_pii("", &out));
  // Multi-byte UTF-8 letters are word characters: no card inside "é4111111111111111".
  EXPECT_FALSE(redact_pii("\xC3\xA9" "4111111111111111", &out));
}

TEST(PiiScanner, ModesForStorage) {
  std::string out;
  EXPECT_FALSE(scrub_for_storage(PiiMode::kOff, "a@b.co", "ex.request", &out));
  EXPECT_TRUE(scrub_for_storage(PiiMode::kRedact, "to a@b.co", "ex.request", &out));
  EXPECT_EQ(out, "to <EMAIL>");
  EXPECT_FALSE(scrub_for_storage(PiiMode::kReject, "nothing here", "ex.request", &out));
  try {
    scrub_for_storage(PiiMode::kReject, "pay 4111 1111 1111 1111", "ex.response", &out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "ex.response: contains a payment card number at byte offset 4, which"
                 " pii='reject' refuses; expected text without personal data (or pii='redact'"
                 " to store it as <CARD>)");
  }
  EXPECT_EQ(parse_pii_mode("Redact"), PiiMode::kRedact);
  EXPECT_EQ(parse_pii_mode("OFF"), PiiMode::kOff);
  EXPECT_EQ(parse_pii_mode("reject"), PiiMode::kReject);
  EXPECT_FALSE(parse_pii_mode("mask"));
}

}  // namespace
}  // namespace iccache
