// Personal-data scanner for the `pii` table option and iccache_scrub() (docs/privacy.md).
//
// One hand-written pass over the bytes (no regex, no allocation unless something is found;
// sixteen bytes at a time where SSE2 is available, one at a time elsewhere):
// e-mail addresses, phone numbers in international form ("+44 20 7946 0958", "0044 ...")
// and the common North-American forms ("(415) 555-2671", "415-555-2671"), payment card
// numbers (13-19 digits, issuer prefix, Luhn check), IBANs (mod-97 check), IPv4 and IPv6
// addresses, and secrets: API keys with known prefixes (sk-, sk_live_, ghp_, github_pat_,
// AKIA/ASIA, xox?-, AIza, glpat-), JWTs, the token after "Bearer " and PEM private-key blocks.
// Each detector requires a word boundary on both sides, so a match never cuts a word in two.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace iccache {

enum class PiiKind { kEmail, kPhone, kCard, kIban, kIp, kSecret };
constexpr int kPiiKindCount = 6;

// What is done with personal data found in a text to be stored.
enum class PiiMode { kOff, kRedact, kReject };

struct PiiMatch {
  PiiKind kind;
  size_t begin;  // byte offset of the first byte
  size_t end;    // one past the last byte
};

// "<EMAIL>", "<PHONE>", "<CARD>", "<IBAN>", "<IP>", "<SECRET>".
std::string_view pii_placeholder(PiiKind kind);
// "email", "phone", "card", "iban", "ip", "secret": the kind as a word for tables and reports.
std::string_view pii_kind_id(PiiKind kind);
// "an e-mail address", "a payment card number", ...: for error messages.
std::string_view pii_kind_phrase(PiiKind kind);

// The first match starting at or after `from`, or nothing. Matches found by successive calls
// (from = previous end) are ordered and never overlap.
std::optional<PiiMatch> next_pii(std::string_view text, size_t from = 0);

namespace detail {
// The same scan one byte at a time: what next_pii does where SSE2 is missing, and the
// reference its sixteen-bytes-at-a-time prefilter is checked against (tests, fuzz_pii).
std::optional<PiiMatch> next_pii_bytewise(std::string_view text, size_t from = 0);
}  // namespace detail

// Replaces every match by its placeholder. Returns false, leaving *out untouched, when the
// text holds nothing to replace (the common case costs no allocation).
bool redact_pii(std::string_view text, std::string* out);

// "off", "redact", "reject" (case-insensitive); nothing for anything else.
std::optional<PiiMode> parse_pii_mode(std::string_view value);

// Applies `mode` to a text about to be stored: under kReject throws iccache::Error
// "<what>: contains an e-mail address at byte offset 17; ..." for the first match; under
// kRedact returns true with *out set when something was replaced; under kOff returns false.
bool scrub_for_storage(PiiMode mode, std::string_view text, const std::string& what,
                       std::string* out);

}  // namespace iccache
