#include "privacy/pii_scanner.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/error.h"

namespace iccache {
namespace {

// Byte classes, one table lookup per test (the scanner's inner loop is one lookup per byte).
enum : uint8_t {
  kDigit = 1,
  kAlpha = 2,
  kUpper = 4,
  kHex = 8,
  kLocal = 16,   // may appear in the local part of an e-mail address
  kWordc = 32,   // letter, digit or '_': a match may not touch one on either side
  kToken = 64,   // base64/base64url/token character: A-Z a-z 0-9 - _ . ~ + / =
};

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t f = 0;
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool lower = c >= 'a' && c <= 'z';
    if (digit) f |= kDigit;
    if (upper || lower) f |= kAlpha;
    if (upper) f |= kUpper;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    if (digit || upper || lower || c == '.' || c == '_' || c == '%' || c == '+' || c == '-')
      f |= kLocal;
    if (digit || upper || lower || c == '_') f |= kWordc;
    if (digit || upper || lower || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
        c == '/' || c == '=')
      f |= kToken;
    // Bytes of multi-byte UTF-8 sequences are letters of some script: treat them as word
    // characters so that "é1234567890123" is not split into a card number.
    if (c >= 0x80) f |= kWordc;
    t[c] = f;
  }
  return t;
}

constexpr std::array<uint8_t, 256> kClass = make_classes();

// The scan's one table lookup per byte: which bytes may start a match, and whether the byte
// is a word byte (which decides what the next byte may start). kAnywhere bytes start one
// wherever they are ('@' ends an e-mail local part, '-' may open a PEM block, '+', '(' and ':'
// open phone numbers and IPv6 addresses; ':' also ends an IPv6 group that began with a hex
// letter, found by looking back from it); kAtBoundary bytes only after a non-word byte
// (digits, upper-case letters, and the lower-case letters that begin a key prefix or
// "bearer"). Anything else is skipped with one lookup and one well-predicted branch.
enum : uint8_t { kAnywhere = 1, kAtBoundary = 2, kWordByte = 4 };
constexpr std::array<uint8_t, 256> make_scan_table() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t f = 0;
    if (c == '@' || c == '-' || c == '+' || c == '(' || c == ':') f = kAnywhere | kAtBoundary;
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == 'b' || c == 'e' || c == 'g' ||
        c == 'r' || c == 's' || c == 'x')
      f = kAtBoundary;
    if (kClass[c] & kWordc) f |= kWordByte;
    t[c] = f;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kScan = make_scan_table();

inline uint8_t cls(std::string_view s, size_t i) {
  return i < s.size() ? kClass[static_cast<unsigned char>(s[i])] : 0;
}
inline bool is(std::string_view s, size_t i, uint8_t f) { return (cls(s, i) & f) != 0; }
inline char at(std::string_view s, size_t i) { return i < s.size() ? s[i] : '\0'; }
inline bool word_before(std::string_view s, size_t i) {
  return i > 0 && (kClass[static_cast<unsigned char>(s[i - 1])] & kWordc);
}

// Inline byte loop: the prefixes are a few bytes, and a memcmp call costs more than them.
inline bool starts_with(std::string_view s, size_t i, std::string_view p) {
  if (s.size() - i < p.size()) return false;
  for (size_t k = 0; k < p.size(); ++k)
    if (s[i + k] != p[k]) return false;
  return true;
}

bool starts_with_nocase(std::string_view s, size_t i, std::string_view p) {
  if (s.size() - i < p.size()) return false;
  for (size_t k = 0; k < p.size(); ++k) {
    char a = s[i + k];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (a != p[k]) return false;
  }
  return true;
}

// Length of the run of bytes of class f starting at i (at most cap).
size_t run(std::string_view s, size_t i, uint8_t f, size_t cap = SIZE_MAX) {
  size_t n = 0;
  while (n < cap && is(s, i + n, f)) ++n;
  return n;
}

// ---- secrets ---------------------------------------------------------------------------

// A key prefix followed by at least `min` (and, when exact, exactly `min`) body bytes: of
// class `body`, plus '-' and '_' when `url`.
struct KeyPrefix {
  std::string_view prefix;
  uint8_t body;
  bool url;
  size_t min;
  bool exact;
};

constexpr uint8_t kKeyBody = kDigit | kAlpha;  // ASCII letters and digits

size_t key_body(std::string_view s, size_t i, uint8_t body, bool url) {
  size_t n = 0;
  while (i + n < s.size() &&
         ((cls(s, i + n) & body) || (url && (s[i + n] == '-' || s[i + n] == '_'))))
    ++n;
  return n;
}

std::optional<size_t> secret_at(std::string_view s, size_t i) {
  // Known prefixes (case-sensitive, as issued).
  static constexpr KeyPrefix kPrefixes[] = {
      {"sk-", kKeyBody, true, 20, false},  // OpenAI, Anthropic (sk-ant-...), sk-proj-...
      {"sk_live_", kKeyBody, false, 16, false},  // Stripe secret keys
      {"sk_test_", kKeyBody, false, 16, false},
      {"rk_live_", kKeyBody, false, 16, false},
      {"ghp_", kKeyBody, false, 36, false},  // GitHub tokens
      {"gho_", kKeyBody, false, 36, false},
      {"ghu_", kKeyBody, false, 36, false},
      {"ghs_", kKeyBody, false, 36, false},
      {"ghr_", kKeyBody, false, 36, false},
      {"github_pat_", kKeyBody, true, 22, false},
      {"glpat-", kKeyBody, true, 20, false},  // GitLab
      {"AIza", kKeyBody, true, 35, true},     // Google API keys
      {"AKIA", kUpper | kDigit, false, 16, true},  // AWS access key ids
      {"ASIA", kUpper | kDigit, false, 16, true},
  };
  const char c = s[i];
  if (c != 's' && c != 'r' && c != 'g' && c != 'A' && c != 'x' && c != 'e') return std::nullopt;
  for (const KeyPrefix& p : kPrefixes) {
    if (c != p.prefix[0] || !starts_with(s, i, p.prefix)) continue;
    const size_t n = key_body(s, i + p.prefix.size(), p.body, p.url);
    if (n < p.min || (p.exact && n != p.min)) continue;
    const size_t end = i + p.prefix.size() + n;
    if (is(s, end, kWordc)) continue;
    return end;
  }
  // Slack: xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr- then digits, letters and dashes.
  if (c == 'x' && starts_with(s, i, "xox") && i + 4 < s.size() && s[i + 4] == '-') {
    const char t = s[i + 3];
    if (t == 'a' || t == 'b' || t == 'o' || t == 'p' || t == 'r' || t == 's') {
      const size_t n = key_body(s, i + 5, kKeyBody, true);
      if (n >= 10 && !is(s, i + 5 + n, kWordc)) return i + 5 + n;
    }
  }
  // JWT: three base64url segments, the first a JSON object ("eyJ" = '{"').
  if (c == 'e' && starts_with(s, i, "eyJ")) {
    size_t j = i;
    for (int seg = 0; seg < 3; ++seg) {
      const size_t n = key_body(s, j, kKeyBody, true);
      if (n < 10) return std::nullopt;
      j += n;
      if (seg < 2) {
        if (at(s, j) != '.') return std::nullopt;
        ++j;
      }
    }
    if (!is(s, j, kWordc)) return j;
  }
  return std::nullopt;
}

// "Bearer <token>": the token only (the word stays, so the text still reads).
std::optional<PiiMatch> bearer_at(std::string_view s, size_t i) {
  if (!starts_with_nocase(s, i, "bearer ")) return std::nullopt;
  size_t j = i + 7;
  while (at(s, j) == ' ') ++j;
  size_t n = run(s, j, kToken);
  while (n > 0 && s[j + n - 1] == '.') --n;  // the full stop of the sentence
  if (n < 16) return std::nullopt;
  return PiiMatch{PiiKind::kSecret, j, j + n};
}

// A PEM private-key block, from "-----BEGIN ... PRIVATE KEY-----" to its END line (or to
// the end of the text when the END line is missing: a truncated key is still a key).
std::optional<size_t> pem_at(std::string_view s, size_t i) {
  if (!starts_with(s, i, "-----BEGIN ")) return std::nullopt;
  const size_t close = s.find("-----", i + 11);
  if (close == std::string_view::npos || close - i > 80) return std::nullopt;
  const std::string_view label = s.substr(i + 11, close - (i + 11));
  if (label.find("PRIVATE KEY") == std::string_view::npos) return std::nullopt;
  const size_t end_line = s.find("-----END ", close + 5);
  if (end_line == std::string_view::npos) return s.size();
  const size_t end_close = s.find("-----", end_line + 9);
  return end_close == std::string_view::npos ? s.size() : end_close + 5;
}

// ---- e-mail ------------------------------------------------------------------------------

// `at` is an '@'; the local part is the run of local-part bytes before it (not before
// `from`, where the scan started, and at most 64 bytes); the domain is dotted and its last
// label is at least two letters. Returns the address's begin and end.
std::optional<PiiMatch> email_around(std::string_view s, size_t at_sign, size_t from) {
  size_t i = at_sign;
  while (i > from && at_sign - i < 65 && is(s, i - 1, kLocal)) --i;
  while (i < at_sign && s[i] == '.') ++i;
  const size_t local = at_sign - i;
  if (local == 0 || local > 64) return std::nullopt;
  size_t j = i + local + 1;
  size_t labels = 0, last_label_alpha = 0, end = 0;
  for (;;) {
    const size_t start = j;
    while (j < s.size() && ((cls(s, j) & (kDigit | kAlpha)) || s[j] == '-')) ++j;
    const size_t len = j - start;
    if (len == 0 || len > 63 || s[start] == '-' || s[j - 1] == '-') break;
    ++labels;
    last_label_alpha = run(s, start, kAlpha) == len ? len : 0;
    end = j;
    if (at(s, j) != '.' || !is(s, j + 1, kDigit | kAlpha)) break;
    ++j;
  }
  if (labels < 2 || last_label_alpha < 2 || is(s, end, kWordc)) return std::nullopt;
  return PiiMatch{PiiKind::kEmail, i, end};
}

// ---- numbers -----------------------------------------------------------------------------

bool luhn_ok(const char* digits, size_t n) {
  int sum = 0;
  for (size_t k = 0; k < n; ++k) {
    int d = digits[n - 1 - k] - '0';
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

// Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, Diners,
// UnionPay, Maestro): a Luhn-valid number without one is more likely an id than a card.
bool card_prefix_ok(const char* d, size_t n) {
  const int two = (d[0] - '0') * 10 + (d[1] - '0');
  const int four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');
  const int three = four / 10;
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;               // Visa
  if (two >= 51 && two <= 55) return n == 16;                           // Mastercard
  if (four >= 2221 && four <= 2720) return n == 16;
  if (two == 34 || two == 37) return n == 15;                           // Amex
  if (four == 6011 || two == 65 || (three >= 644 && three <= 649)) return n >= 16;  // Discover
  if (two == 35) return n >= 16;                                        // JCB
  if (two == 36 || two == 38 || (three >= 300 && three <= 305)) return n >= 14;  // Diners
  if (two == 62) return n >= 16;                                        // UnionPay
  if (two == 50 || (two >= 56 && two <= 58) || d[0] == '6') return n >= 12;  // Maestro
  return false;
}

// Digits with optional single ' ' or '-' separators between them (one kind per number).
// When the whole run is not a card, shorter runs ending before a separator are tried, so
// "4111111111111111 10 items" still finds the card.
std::optional<size_t> card_at(std::string_view s, size_t i) {
  char digits[19];
  size_t n = 0, j = i;
  char sep = 0;
  size_t cut_n[20], cut_end[20], cuts = 0;  // (digits, end) before each separator, and at the end
  while (j < s.size()) {
    if (is(s, j, kDigit)) {
      if (n == 19) return std::nullopt;  // a longer number is not a card
      digits[n++] = s[j++];
      continue;
    }
    if ((s[j] == ' ' || s[j] == '-') && (sep == 0 || sep == s[j]) && is(s, j + 1, kDigit) &&
        n < 19) {
      cut_n[cuts] = n;
      cut_end[cuts++] = j;
      sep = s[j];
      ++j;
      continue;
    }
    break;
  }
  if (is(s, j, kWordc)) return std::nullopt;
  cut_n[cuts] = n;
  cut_end[cuts++] = j;
  for (size_t c = cuts; c-- > 0;) {
    const size_t len = cut_n[c];
    if (len < 13) break;
    if (card_prefix_ok(digits, len) && luhn_ok(digits, len)) return cut_end[c];
  }
  return std::nullopt;
}

// Length of the IBANs of a country (ISO 13616 registry), 0 when not listed.
size_t iban_length(char a, char b) {
  static constexpr struct { char cc[3]; uint8_t len; } kLengths[] = {
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
      {"BG", 22}, {"BH", 22}, {"BR", 29}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
      {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
      {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
      {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IS", 26}, {"IT", 27},
      {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
      {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MR", 27},
      {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29},
      {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31}, {"SE", 24},
      {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
      {"TR", 26}, {"UA", 29}, {"VG", 24}, {"XK", 20}};
  for (const auto& c : kLengths)
    if (c.cc[0] == a && c.cc[1] == b) return c.len;
  return 0;
}

// IBAN: country letters, two check digits, 11-30 letters/digits, optionally in groups of
// four separated by single spaces; valid when the mod-97 remainder of the rearranged number
// is 1. The country's registered length says where it ends, so a trailing upper-case word
// after a space is not taken into it. A candidate of IBAN shape whose checksum fails sets
// *skip to its end: its digit groups are an account number gone wrong, not phone numbers.
std::optional<size_t> iban_at(std::string_view s, size_t i, size_t* skip) {
  if (!is(s, i, kUpper) || !is(s, i + 1, kUpper) || !is(s, i + 2, kDigit) ||
      !is(s, i + 3, kDigit))
    return std::nullopt;
  char chars[34];
  size_t n = 0, j = i;
  size_t ends[34];  // ends[k]: byte end after k+1 characters
  while (j < s.size() && n < 34) {
    if (is(s, j, kUpper | kDigit)) {
      chars[n] = s[j++];
      ends[n++] = j;
      continue;
    }
    if (s[j] == ' ' && n >= 4 && is(s, j + 1, kUpper | kDigit)) {
      ++j;
      continue;
    }
    break;
  }
  // The registry fixes each country's length, so there is one candidate; a country not in
  // the table is tried at its full length only.
  const size_t want = iban_length(chars[0], chars[1]);
  const size_t len = want ? want : n;
  if (len >= 15 && len <= n && !is(s, ends[len - 1], kWordc)) {
    int rem = 0;
    for (size_t k = 0; k < len; ++k) {
      const char ch = chars[(k + 4) % len];
      rem = ch <= '9' ? (rem * 10 + (ch - '0')) % 97 : (rem * 100 + (ch - 'A' + 10)) % 97;
    }
    if (rem == 1) return ends[len - 1];
  }
  if (n >= 15) *skip = ends[n - 1];
  return std::nullopt;
}

// Phone numbers. International: '+' or "00", then 8-15 digits (E.164 allows 15) with
// single spaces, dashes, dots or a parenthesised group between them. North American:
// "(415) 555-2671", "415-555-2671", "415.555.2671".
std::optional<size_t> phone_digits(std::string_view s, size_t j, size_t digits_before) {
  size_t digits = digits_before, end = j;
  bool last_sep = false;
  while (j < s.size()) {
    const char c = s[j];
    if (is(s, j, kDigit)) {
      ++digits;
      ++j;
      end = j;
      last_sep = false;
      if (digits > 15) return std::nullopt;
      continue;
    }
    if (!last_sep && (c == ' ' || c == '-' || c == '.') && is(s, j + 1, kDigit)) {
      ++j;
      last_sep = true;
      continue;
    }
    if (!last_sep && (c == ' ' || c == '-') && at(s, j + 1) == '(') {
      ++j;
      last_sep = true;
      continue;
    }
    if (c == '(') {
      const size_t n = run(s, j + 1, kDigit, 5);
      if (n == 0 || at(s, j + 1 + n) != ')') break;
      digits += n;
      j += n + 2;
      end = j;
      last_sep = false;
      if (at(s, j) == ' ' || at(s, j) == '-') {
        ++j;
        last_sep = true;
      }
      continue;
    }
    break;
  }
  if (digits < 8 || is(s, end, kWordc)) return std::nullopt;
  return end;
}

std::optional<size_t> phone_intl_at(std::string_view s, size_t i) {
  // i is at '+' followed by a digit that is not '0', or at "00" followed by 1-9.
  if (s[i] == '+') {
    if (!is(s, i + 1, kDigit) || s[i + 1] == '0') return std::nullopt;
    return phone_digits(s, i + 1, 0);
  }
  if (starts_with(s, i, "00") && is(s, i + 2, kDigit) && s[i + 2] != '0') {
    // "0044 20 7946 0958": the first group must be followed by a separator so that a
    // plain long number such as 00123456789 is not taken for a phone number.
    const size_t first = run(s, i, kDigit);
    if (first > 5 || (at(s, i + first) != ' ' && at(s, i + first) != '-')) return std::nullopt;
    const auto end = phone_digits(s, i + 2, 2);
    if (end && *end - i >= 12) return end;
  }
  return std::nullopt;
}

std::optional<size_t> phone_nanp_at(std::string_view s, size_t i) {
  size_t j = i;
  if (s[i] == '(') {
    if (run(s, i + 1, kDigit) != 3 || at(s, i + 4) != ')') return std::nullopt;
    j = i + 5;
    if (at(s, j) == ' ') ++j;
    if (run(s, j, kDigit) != 3 || at(s, j + 3) != '-' || run(s, j + 4, kDigit) != 4)
      return std::nullopt;
    j += 8;
  } else {
    if (run(s, i, kDigit) != 3) return std::nullopt;
    const char sep = at(s, i + 3);
    if (sep != '-' && sep != '.') return std::nullopt;
    if (run(s, i + 4, kDigit) != 3 || at(s, i + 7) != sep || run(s, i + 8, kDigit) != 4)
      return std::nullopt;
    j = i + 12;
  }
  if (is(s, j, kWordc) || (at(s, j) == '.' && is(s, j + 1, kDigit)) ||
      (at(s, j) == '-' && is(s, j + 1, kDigit)))
    return std::nullopt;
  return j;
}

// ---- IP addresses ------------------------------------------------------------------------

// Four dotted decimal octets 0-255, one to three digits each.
std::optional<size_t> ipv4_at(std::string_view s, size_t i, bool check_end = true) {
  size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    const size_t n = run(s, j, kDigit, 4);
    if (n == 0 || n > 3) return std::nullopt;
    int v = 0;
    for (size_t k = 0; k < n; ++k) v = v * 10 + (s[j + k] - '0');
    if (v > 255) return std::nullopt;
    j += n;
    if (octet < 3) {
      if (at(s, j) != '.') return std::nullopt;
      ++j;
    }
  }
  // "1.2.3.4.5" is a version or an outline number, not an address.
  if (check_end && (is(s, j, kWordc) || (at(s, j) == '.' && is(s, j + 1, kDigit))))
    return std::nullopt;
  return j;
}

// Hex groups separated by ':', at most one "::", eight groups without it (the last two may
// be a dotted IPv4). A "::" form needs a digit somewhere, so that C++ names such as
// "Add::dec" are not read as addresses.
std::optional<size_t> ipv6_at(std::string_view s, size_t i) {
  size_t j = i, groups = 0;
  bool compressed = false, digit = false;
  if (starts_with(s, j, "::")) {
    compressed = true;
    j += 2;
  }
  for (;;) {
    const size_t h = run(s, j, kHex, 5);
    if (h == 0) break;
    if (at(s, j + h) == '.') {  // embedded IPv4 ("::ffff:192.0.2.1"), or a full stop
      if (const auto v4 = ipv4_at(s, j, false)) {
        if (groups > 6) return std::nullopt;
        groups += 2;
        j = *v4;
        digit = true;
        break;
      }
    }
    if (h > 4) return std::nullopt;
    for (size_t k = 0; k < h; ++k) digit |= is(s, j + k, kDigit);
    ++groups;
    j += h;
    if (at(s, j) != ':') break;
    if (at(s, j + 1) == ':') {
      if (compressed) return std::nullopt;
      compressed = true;
      j += 2;
      continue;
    }
    if (!is(s, j + 1, kHex)) break;  // a trailing ':' is punctuation
    ++j;
  }
  if (compressed ? (groups == 0 || groups > 7 || !digit) : groups != 8) return std::nullopt;
  if (is(s, j, kWordc) || (at(s, j) == '.' && is(s, j + 1, kDigit))) return std::nullopt;
  return j;
}

// ---- the scan ----------------------------------------------------------------------------

// A cheap look at the next few bytes: false when no detector can match at i (the common
// case: a word or number that starts nothing). It must never say false where match_at
// would find something: each case below lists what the detectors need at their start.
inline bool worth_trying(std::string_view s, size_t i) {
  const char c = s[i];
  const char n1 = at(s, i + 1);
  const uint8_t k = kClass[static_cast<unsigned char>(c)];
  if ((k & kUpper) && is(s, i + 1, kUpper) && is(s, i + 2, kDigit)) return true;  // IBAN
  switch (c) {
    case '-': return n1 == '-';
    case '+':
    case '(': return is(s, i + 1, kDigit);
    case ':': return n1 == ':';
    case 's':
    case 'r': return n1 == 'k';
    case 'g': return n1 == 'h' || n1 == 'i' || n1 == 'l';
    case 'x': return n1 == 'o';
    case 'e': return n1 == 'y';
    case 'b':
    case 'B': return n1 == 'e' || n1 == 'E';
    case 'A': return n1 == 'I' || n1 == 'K' || n1 == 'S';
    default: break;
  }
  if (k & kDigit) {
    const size_t d = run(s, i, kDigit, 13);
    if (d >= 13) return true;
    const char n = at(s, i + d);
    if (n == ' ' || n == '-' || n == '.') return is(s, i + d + 1, kDigit);
    return n == ':' || at(s, i + run(s, i, kHex, 5)) == ':';  // IPv6 group ("2a01:")
  }
  return false;  // an IPv6 address opening with a hex letter is found at its first ':'
}

// At a ':' (i): the start of the IPv6 group of 1-4 hex digits before it, when that group
// opens with a letter (a-f, A-F) at a word boundary, not after a full stop, and not before
// `from`: where match_at would have tried the address had the scan stopped at every hex
// letter. (Groups opening with a digit were tried at the digit.)
inline std::optional<size_t> letter_group_before(std::string_view s, size_t i, size_t from) {
  size_t g = i;
  while (g > from && i - g < 5 && is(s, g - 1, kHex)) --g;
  if (g == i || i - g > 4 || is(s, g, kDigit) || word_before(s, g) || (g > 0 && s[g - 1] == '.'))
    return std::nullopt;
  return g;
}

// The match starting at i, if any. *skip is set past a look-alike that must not be searched
// inside (see iban_at).
std::optional<PiiMatch> match_at(std::string_view s, size_t i, size_t* skip) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const uint8_t k = kClass[c];
  const bool word_start = !word_before(s, i);
  auto found = [&](PiiKind kind, size_t end) { return PiiMatch{kind, i, end}; };
  if (c == '-') {
    if (auto e = pem_at(s, i)) return found(PiiKind::kSecret, *e);
  }
  if (c == '+' && word_start) {
    if (auto e = phone_intl_at(s, i)) return found(PiiKind::kPhone, *e);
  }
  if (c == '(' && word_start) {
    if (auto e = phone_nanp_at(s, i)) return found(PiiKind::kPhone, *e);
  }
  if (c == ':' && at(s, i + 1) == ':' && !(i > 0 && is(s, i - 1, kHex))) {
    if (auto e = ipv6_at(s, i)) return found(PiiKind::kIp, *e);
  }
  if (!word_start || !(k & (kDigit | kAlpha))) return std::nullopt;
  // Keys may follow "=" or ":" but not another key character such as '-'.
  if ((k & kAlpha) && !(i > 0 && (s[i - 1] == '-' || s[i - 1] == '.' || s[i - 1] == '/'))) {
    if (auto e = secret_at(s, i)) return found(PiiKind::kSecret, *e);
    if (c == 'B' || c == 'b') {
      if (auto m = bearer_at(s, i)) return m;
    }
    if (k & kUpper) {
      if (auto e = iban_at(s, i, skip)) return found(PiiKind::kIban, *e);
      if (*skip > i) return std::nullopt;
    }
  }
  const bool after_dot = i > 0 && s[i - 1] == '.';
  if ((k & kDigit) && !after_dot) {
    if (auto e = card_at(s, i)) return found(PiiKind::kCard, *e);
    if (auto e = phone_intl_at(s, i)) return found(PiiKind::kPhone, *e);
    if (auto e = phone_nanp_at(s, i)) return found(PiiKind::kPhone, *e);
    if (auto e = ipv4_at(s, i)) return found(PiiKind::kIp, *e);
  }
  if ((k & kHex) && !after_dot && at(s, i + run(s, i, kHex, 5)) == ':') {
    if (auto e = ipv6_at(s, i)) return found(PiiKind::kIp, *e);
  }
  return std::nullopt;
}

}  // namespace

std::string_view pii_placeholder(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: return "<EMAIL>";
    case PiiKind::kPhone: return "<PHONE>";
    case PiiKind::kCard: return "<CARD>";
    case PiiKind::kIban: return "<IBAN>";
    case PiiKind::kIp: return "<IP>";
    case PiiKind::kSecret: return "<SECRET>";
  }
  return "<PII>";
}

std::string_view pii_kind_id(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: return "email";
    case PiiKind::kPhone: return "phone";
    case PiiKind::kCard: return "card";
    case PiiKind::kIban: return "iban";
    case PiiKind::kIp: return "ip";
    case PiiKind::kSecret: return "secret";
  }
  return "pii";
}

std::string_view pii_kind_phrase(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail: return "an e-mail address";
    case PiiKind::kPhone: return "a phone number";
    case PiiKind::kCard: return "a payment card number";
    case PiiKind::kIban: return "an IBAN";
    case PiiKind::kIp: return "an IP address";
    case PiiKind::kSecret: return "a secret (API key, token or private key)";
  }
  return "personal data";
}

namespace {

// What the scan does at a byte that may start a match (its trigger bit allowed it): a match,
// or nothing, with *resume set past a look-alike that must not be searched inside.
std::optional<PiiMatch> try_at(std::string_view s, size_t i, size_t from, size_t* resume) {
  const char c = s[i];
  if (c == '@') return email_around(s, i, from);
  if (c == ':') {
    if (const auto g = letter_group_before(s, i, from)) {
      if (const auto e = ipv6_at(s, *g); e && at(s, *e) != '@') return PiiMatch{PiiKind::kIp, *g, *e};
    }
  }
  if (!worth_trying(s, i)) return std::nullopt;
  size_t skip = 0;
  auto m = match_at(s, i, &skip);
  // A number or key right before '@' is the local part of an address, found at the '@'.
  if (m && at(s, m->end) != '@') return m;
  if (skip > i) *resume = skip;
  return std::nullopt;
}

#if defined(__SSE2__)
// Sixteen bytes at a time (SSE2, in every x86-64 CPU): two bit masks, which bytes are word
// bytes and which may start a match. The second is worth_trying's first look (its byte and
// the one or two after it) for all sixteen at once, so the per-byte work runs only where it
// has a chance: about 3 bytes in 100 of GSM8K's text, where a digit or capital letter opens
// every other word. It must never drop a byte worth_trying would accept.
struct Classes {
  uint32_t word;       // letters, digits, '_', non-ASCII bytes
  uint32_t anywhere;   // may start a match after any byte
  uint32_t boundary;   // may start a match after a non-word byte only
};

// p[0..17] must be readable: the bytes i+1 and i+2 of the last of the sixteen are looked at.
inline Classes classify16(const char* p) {
  const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2));
  auto eq = [](__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  auto either = [](__m128i a, __m128i b) { return _mm_or_si128(a, b); };
  auto both = [](__m128i a, __m128i b) { return _mm_and_si128(a, b); };
  // Signed byte compares: non-ASCII bytes are negative and fall in no ASCII range.
  auto in = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const __m128i digit0 = in(v0, '0', '9'), digit1 = in(v1, '0', '9'), digit2 = in(v2, '0', '9');
  const __m128i upper0 = in(v0, 'A', 'Z'), upper1 = in(v1, 'A', 'Z');
  const __m128i letter0 = in(_mm_or_si128(v0, _mm_set1_epi8(0x20)), 'a', 'z');  // A-Z folded
  const __m128i word = either(either(letter0, digit0), either(eq(v0, '_'), _mm_cmplt_epi8(v0, _mm_setzero_si128())));
  // '@' always (e-mail); ':' always (IPv6: "::", or the end of a group opening with a letter);
  // "--" (PEM); '+' or '(' before a digit (phone).
  const __m128i anywhere = either(either(eq(v0, '@'), eq(v0, ':')),
                                  either(both(eq(v0, '-'), eq(v1, '-')),
                                         both(either(eq(v0, '+'), eq(v0, '(')), digit1)));
  // Capital then capital (IBAN "DE89", AKIA/ASIA/AIza keys); B/b before e/E ("Bearer");
  // sk/rk, gh/gi/gl, xo, ey (key prefixes, JWT).
  const __m128i e1 = either(eq(v1, 'e'), eq(v1, 'E'));
  const __m128i letters = either(
      either(both(upper0, upper1), both(either(eq(v0, 'B'), eq(v0, 'b')), e1)),
      either(either(both(either(eq(v0, 's'), eq(v0, 'r')), eq(v1, 'k')),
                    both(eq(v0, 'g'), either(eq(v1, 'h'), either(eq(v1, 'i'), eq(v1, 'l'))))),
             either(both(eq(v0, 'x'), eq(v1, 'o')), both(eq(v0, 'e'), eq(v1, 'y')))));
  // A digit before a digit (a longer number), before ' ', '-' or '.' and a digit (grouped
  // numbers, phones, IPv4), before ':' or a hex letter (IPv6 "2001:", "2a01:").
  const __m128i sep1 = either(either(eq(v1, ' '), eq(v1, '-')), eq(v1, '.'));
  const __m128i hex1 = in(_mm_or_si128(v1, _mm_set1_epi8(0x20)), 'a', 'f');
  const __m128i digits = both(digit0, either(either(digit1, both(sep1, digit2)), either(eq(v1, ':'), hex1)));
  return {static_cast<uint32_t>(_mm_movemask_epi8(word)), static_cast<uint32_t>(_mm_movemask_epi8(anywhere)),
          static_cast<uint32_t>(_mm_movemask_epi8(either(letters, digits)))};
}
#endif

}  // namespace

namespace detail {

std::optional<PiiMatch> next_pii_bytewise(std::string_view s, size_t from) {
  // Whether the byte before the one looked at is a word byte: kAtBoundary bytes start
  // nothing after one.
  bool after_word = from > 0 && from <= s.size() && (kScan[static_cast<unsigned char>(s[from - 1])] & kWordByte);
  for (size_t i = from; i < s.size(); ++i) {
    const uint8_t scan = kScan[static_cast<unsigned char>(s[i])];
    const bool trigger = scan & (after_word ? kAnywhere : (kAnywhere | kAtBoundary));
    after_word = scan & kWordByte;
    if (!trigger) continue;
    size_t resume = 0;
    if (auto m = try_at(s, i, from, &resume)) return m;
    if (resume > i) {
      i = resume - 1;
      after_word = kScan[static_cast<unsigned char>(s[i])] & kWordByte;
    }
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<PiiMatch> next_pii(std::string_view s, size_t from) {
#if defined(__SSE2__)
  if (from >= s.size()) return std::nullopt;
  bool after_word = from > 0 && (kScan[static_cast<unsigned char>(s[from - 1])] & kWordByte);
  size_t i = from;
  while (i < s.size()) {
    const size_t n = std::min<size_t>(16, s.size() - i);
    Classes k;
    if (s.size() - i >= 18) {
      k = classify16(s.data() + i);
    } else {  // the tail, padded with NUL bytes (which start nothing and are no word bytes),
              // as at() reads past the end
      char tail[32] = {};
      std::memcpy(tail, s.data() + i, s.size() - i);
      k = classify16(tail);
    }
    const uint32_t before_word = (k.word << 1) | (after_word ? 1u : 0u);
    uint32_t candidates = (k.anywhere | (k.boundary & ~before_word)) & ((1u << n) - 1);
    size_t next = i + n;
    while (candidates) {
      const size_t at_i = i + static_cast<size_t>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      size_t resume = 0;
      if (auto m = try_at(s, at_i, from, &resume)) return m;
      if (resume > at_i) {  // a look-alike not to be searched inside: go on from its end
        next = resume;
        break;
      }
    }
    if (next >= s.size()) break;
    after_word = kScan[static_cast<unsigned char>(s[next - 1])] & kWordByte;
    i = next;
  }
  return std::nullopt;
#else
  return detail::next_pii_bytewise(s, from);
#endif
}

bool redact_pii(std::string_view text, std::string* out) {
  auto m = next_pii(text, 0);
  if (!m) return false;
  std::string r;
  r.reserve(text.size());
  size_t copied = 0;
  while (m) {
    r.append(text.substr(copied, m->begin - copied));
    r.append(pii_placeholder(m->kind));
    copied = m->end;
    m = next_pii(text, copied);
  }
  r.append(text.substr(copied));
  *out = std::move(r);
  return true;
}

std::optional<PiiMode> parse_pii_mode(std::string_view value) {
  std::string v(value);
  for (char& c : v)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (v == "off") return PiiMode::kOff;
  if (v == "redact") return PiiMode::kRedact;
  if (v == "reject") return PiiMode::kReject;
  return std::nullopt;
}

bool scrub_for_storage(PiiMode mode, std::string_view text, const std::string& what,
                       std::string* out) {
  if (mode == PiiMode::kOff) return false;
  if (mode == PiiMode::kRedact) return redact_pii(text, out);
  if (auto m = next_pii(text, 0)) {
    throw Error(what + ": contains " + std::string(pii_kind_phrase(m->kind)) +
                " at byte offset " + std::to_string(m->begin) +
                ", which pii='reject' refuses; expected text without personal data (or"
                " pii='redact' to store it as " + std::string(pii_placeholder(m->kind)) + ")");
  }
  return false;
}

}  // namespace iccache
