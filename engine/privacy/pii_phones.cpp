// The detectors of phone numbers (pii_detectors.h). International: '+' or "00", then 8-15
// digits (E.164 allows 15) with single spaces, dashes, dots or a parenthesised group between
// them. North American: "(415) 555-2671", "415-555-2671", "415.555.2671".
#include "privacy/pii_bytes.h"
#include "privacy/pii_detectors.h"

namespace iccache::pii {

namespace {

// From j, where digits_before digits were already read: the end of the digits and their
// separators, when there are 8 to 15 digits in all and no word byte follows.
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

}  // namespace

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

}  // namespace iccache::pii
