#include "vector/vector_parse.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/error.h"

namespace iccache {
namespace {

std::string prefix(std::string_view what) { return std::string(what) + ": "; }

[[noreturn]] void wrong_count(std::string_view what, int dim, size_t received) {
  throw Error(prefix(what) + "expected " + std::to_string(dim) + " dimensions but received " +
              std::to_string(received));
}

uint32_t from_little_endian(uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) {
    v = ((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >> 8) & 0xFF00) | (v >> 24);
  }
  return v;
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// End of the JSON number (RFC 8259 grammar) starting at s[pos], or npos if there is none.
size_t scan_number(std::string_view s, size_t pos) {
  const auto digits = [&](size_t i) {
    while (i < s.size() && is_digit(s[i])) ++i;
    return i;
  };
  size_t i = pos;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !is_digit(s[i])) return std::string_view::npos;
  i = (s[i] == '0') ? i + 1 : digits(i);  // no leading zeros
  if (i < s.size() && s[i] == '.') {
    if (i + 1 >= s.size() || !is_digit(s[i + 1])) return std::string_view::npos;
    i = digits(i + 1);
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return std::string_view::npos;
    i = digits(i);
  }
  return i;
}

// from_chars reports overflow and underflow alike as out_of_range. A grammatical number's
// magnitude is about 10^(position of its leading significant digit + exponent), and only
// the sign of that power matters here, so it tells them apart.
bool magnitude_overflows(std::string_view number) {
  size_t i = (number[0] == '-') ? 1 : 0;
  long long power;
  if (number[i] != '0') {  // integer part is non-zero (no leading zeros in JSON)
    const size_t start = i;
    while (i < number.size() && is_digit(number[i])) ++i;
    power = static_cast<long long>(i - start) - 1;
  } else {  // 0.000ddd: count the zeros after the point
    i += 2;
    const size_t start = i;
    while (i < number.size() && number[i] == '0') ++i;
    power = -static_cast<long long>(i - start) - 1;
  }
  const size_t e = number.find_first_of("eE");
  if (e == std::string_view::npos) return power > 0;
  const bool negative = number[e + 1] == '-';
  long long exponent = 0;
  for (size_t k = e + 1; k < number.size(); ++k) {
    if (is_digit(number[k])) exponent = std::min(exponent * 10 + (number[k] - '0'), 1LL << 40);
  }
  return power + (negative ? -exponent : exponent) > 0;
}

// Recursive-descent reader for the one shape accepted: [number, number, ...].
class JsonVectorReader {
 public:
  JsonVectorReader(std::string_view text, std::string_view what) : text_(text), what_(what) {}

  std::vector<float> read(int dim) {
    std::vector<float> values;
    values.reserve(static_cast<size_t>(dim));
    skip_space();
    expect('[', "'[' to start the vector");
    skip_space();
    if (peek(']')) {
      ++pos_;
    } else {
      for (;;) {
        values.push_back(number(values.size()));
        skip_space();
        if (!peek(',')) break;
        ++pos_;
        skip_space();
      }
      expect(']', "',' or ']'");
    }
    skip_space();
    if (pos_ != text_.size()) fail("nothing after the closing ']'");
    return values;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && is_json_space(text_[pos_])) ++pos_;
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  void expect(char c, const char* expected) {
    if (!peek(c)) fail(expected);
    ++pos_;
  }

  float number(size_t index) {
    const size_t end = scan_number(text_, pos_);
    if (end == std::string_view::npos) fail("a number");
    const std::string_view literal = text_.substr(pos_, end - pos_);
    double value = 0.0;
    const std::errc ec = std::from_chars(literal.data(), literal.data() + literal.size(), value).ec;
    if (ec == std::errc::result_out_of_range) {
      if (magnitude_overflows(literal)) out_of_range(index, literal);
      value = 0.0;  // below the smallest double: it is zero for every purpose here
    }
    if (std::fabs(value) > FLT_MAX) out_of_range(index, literal);
    pos_ = end;
    return static_cast<float>(value);
  }

  [[noreturn]] void out_of_range(size_t index, std::string_view literal) const {
    throw Error(prefix(what_) + "element " + std::to_string(index) + " (" + std::string(literal) +
                ") is outside the float32 range; expected finite numbers");
  }

  [[noreturn]] void fail(const char* expected) const {
    throw Error(prefix(what_) + "malformed JSON at offset " + std::to_string(pos_) + ": expected " +
                expected + " but found " + found());
  }

  std::string found() const {
    if (pos_ >= text_.size()) return "the end of the text";
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    static const char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
  }

  std::string_view text_;
  std::string_view what_;
  size_t pos_ = 0;
};

}  // namespace

// Both parsers return the vector already validated and unit-normalised.
std::vector<float> parse_vector_blob(const void* data, size_t bytes, int dim,
                                     std::string_view what) {
  const size_t expected = 4 * static_cast<size_t>(dim);
  if (bytes % 4 != 0) {
    throw Error(prefix(what) + "expected a " + std::to_string(expected) + "-byte float32 blob (" +
                std::to_string(dim) + " dimensions) but received " + std::to_string(bytes) +
                " bytes, which is not a multiple of 4");
  }
  if (bytes != expected) wrong_count(what, dim, bytes / 4);

  std::vector<float> v(static_cast<size_t>(dim));
  const auto* src = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, src + 4 * i, 4);
    v[i] = std::bit_cast<float>(from_little_endian(bits));
  }
  validate_and_normalize(v, what);
  return v;
}

std::vector<float> parse_vector_json(std::string_view text, int dim, std::string_view what) {
  std::vector<float> v = JsonVectorReader(text, what).read(dim);
  if (v.size() != static_cast<size_t>(dim)) wrong_count(what, dim, v.size());
  validate_and_normalize(v, what);
  return v;
}

std::vector<float> parse_json_floats(std::string_view text, std::string_view what) {
  std::vector<float> v = JsonVectorReader(text, what).read(0);
  if (v.empty() || v.size() > static_cast<size_t>(kMaxDim))
    throw Error(prefix(what) + "expected from 1 to " + std::to_string(kMaxDim) +
                " numbers but received " + std::to_string(v.size()));
  return v;
}

bool looks_like_json_array(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_json_space(text[i])) ++i;
  return i < text.size() && text[i] == '[';
}

void validate_and_normalize(std::vector<float>& v, std::string_view what) {
  double sum_sq = 0.0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) {
      throw Error(prefix(what) + "element " + std::to_string(i) +
                  " is NaN; expected finite numbers");
    }
    if (std::isinf(v[i])) {
      throw Error(prefix(what) + "element " + std::to_string(i) +
                  " is infinite; expected finite numbers");
    }
    sum_sq += static_cast<double>(v[i]) * v[i];
  }
  if (sum_sq == 0.0) {
    throw Error(prefix(what) +
                "the vector is all zeros; a direction is needed for cosine similarity");
  }
  const double norm = std::sqrt(sum_sq);
  for (float& x : v) x = static_cast<float>(x / norm);
}

}  // namespace iccache
