// The detectors of payment numbers (pii_detectors.h): card numbers and IBANs.
#include "privacy/pii_bytes.h"
#include "privacy/pii_detectors.h"

namespace iccache::pii {

namespace {

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

}  // namespace

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

}  // namespace iccache::pii
