// The personal-data scanner's byte classes and the small readers every detector uses
// (internal to engine/privacy: pii_scanner.h is the API). One table lookup per test: the
// scan's inner loop is one lookup per byte.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace iccache::pii {

// Byte classes.
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

inline constexpr std::array<uint8_t, 256> kClass = make_classes();

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
inline constexpr std::array<uint8_t, 256> kScan = make_scan_table();

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

inline bool starts_with_nocase(std::string_view s, size_t i, std::string_view p) {
  if (s.size() - i < p.size()) return false;
  for (size_t k = 0; k < p.size(); ++k) {
    char a = s[i + k];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (a != p[k]) return false;
  }
  return true;
}

// Length of the run of bytes of class f starting at i (at most cap).
inline size_t run(std::string_view s, size_t i, uint8_t f, size_t cap = SIZE_MAX) {
  size_t n = 0;
  while (n < cap && is(s, i + n, f)) ++n;
  return n;
}

}  // namespace iccache::pii
