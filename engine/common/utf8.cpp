#include "common/utf8.h"

#include "common/error.h"

namespace iccache::utf8 {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed sequence starting at text[pos], or 0 when it is ill-formed.
// Follows the table of well-formed byte sequences in Unicode ch. 3 (Table 3-7): the
// narrowed second-byte ranges after E0/ED/F0/F4 exclude overlongs, surrogates and
// code points above U+10FFFF without decoding first.
size_t sequence_length(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const size_t left = text.size() - pos;
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;

  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // below is an overlong 2-byte form
    if (lead == 0xED) hi = 0x9F;  // above is a UTF-16 surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;  // below is an overlong 3-byte form
    if (lead == 0xF4) hi = 0x8F;  // above is beyond U+10FFFF
  } else {
    return 0;  // stray continuation byte, C0/C1 overlong lead, or F5..FF
  }

  if (left < len) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (!is_continuation(byte(i))) return 0;
  }
  return len;
}

}  // namespace

size_t first_invalid(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t len = sequence_length(text, pos);
    if (len == 0) return pos;
    pos += len;
  }
  return text.size();
}

bool valid(std::string_view text) { return first_invalid(text) == text.size(); }

char32_t decode(std::string_view text, size_t pos, size_t* len) {
  const auto byte = [&](size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[pos + i]));
  };
  const char32_t lead = byte(0);
  if (lead < 0x80) {
    *len = 1;
    return lead;
  }
  if (lead < 0xE0) {
    *len = 2;
    return ((lead & 0x1F) << 6) | (byte(1) & 0x3F);
  }
  if (lead < 0xF0) {
    *len = 3;
    return ((lead & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
  }
  *len = 4;
  return ((lead & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
         (byte(3) & 0x3F);
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void require_valid(std::string_view text, const std::string& what) {
  const size_t bad = first_invalid(text);
  if (bad != text.size())
    throw Error(what + " is not valid UTF-8 (invalid byte at offset " + std::to_string(bad) +
                "); expected UTF-8 text");
}

}  // namespace iccache::utf8
