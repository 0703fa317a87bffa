// UTF-8 validation and decoding. Text that is not valid UTF-8 is rejected, never guessed at.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace iccache::utf8 {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool valid(std::string_view text);

// Byte offset of the first invalid sequence, or text.size() when the text is valid.
size_t first_invalid(std::string_view text);

// Throws iccache::Error "<what> is not valid UTF-8 (invalid byte at offset N); expected
// UTF-8 text" when `text` is not valid: the one wording of every refusal of bad text.
void require_valid(std::string_view text, const std::string& what);

// Decodes the code point starting at text[pos]; stores its byte length in *len.
// Precondition: valid(text). Returns the code point.
char32_t decode(std::string_view text, size_t pos, size_t* len);

// Appends the UTF-8 encoding of `cp` to `out`.
void append(std::string& out, char32_t cp);

}  // namespace iccache::utf8
