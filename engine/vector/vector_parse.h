// Caller-supplied vectors, sqlite-vec convention: compact float32 little-endian BLOB, or
// JSON array text such as "[0.1, -2, 3e-4]". Vectors are validated (length, finite values,
// non-zero) and L2-normalised for cosine search.
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

namespace iccache {

constexpr int kMaxDim = 4096;

// `what` names the value in error messages, e.g. "ex.embedding" or "ex MATCH".
// Each throws iccache::Error with a full sentence naming `what`, what was expected and
// what was received, e.g. "ex.embedding: expected 384 dimensions but received 768".

// Both parsers return a validated unit vector (see validate_and_normalize).

// Blob must hold exactly 4 * dim bytes.
std::vector<float> parse_vector_blob(const void* data, size_t bytes, int dim,
                                     std::string_view what);

// Strict JSON array of numbers (whitespace allowed, nothing after the closing bracket).
std::vector<float> parse_vector_json(std::string_view text, int dim, std::string_view what);

// The numbers of a strict JSON array (1 to kMaxDim of them), as given: not normalised, any
// length (iccache_vector(); the table checks the dimension when the vector is used).
std::vector<float> parse_json_floats(std::string_view text, std::string_view what);

// True when text (after leading whitespace) starts with '['. Not used to decide what a
// TEXT value means (TEXT is always request text); only to word error messages.
bool looks_like_json_array(std::string_view text);

// Rejects NaN/inf and zero vectors, then scales to unit L2 norm (in place).
void validate_and_normalize(std::vector<float>& v, std::string_view what);

}  // namespace iccache
