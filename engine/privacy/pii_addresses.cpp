// The detectors of addresses (pii_detectors.h): e-mail, IPv4 and IPv6.
#include "privacy/pii_bytes.h"
#include "privacy/pii_detectors.h"

namespace iccache::pii {

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

// Four dotted decimal octets 0-255, one to three digits each.
std::optional<size_t> ipv4_at(std::string_view s, size_t i, bool check_end) {
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

}  // namespace iccache::pii
