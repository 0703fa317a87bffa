// How the iccache table turns request text into a vector (INSERT's request, MATCH,
// iccache_route, iccache_prompt): the text must be UTF-8, and embedder='none' (no embedder)
// refuses text, since such a table's vectors are always given. ext/table/table.cpp calls
// these with the table's embedder and options.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "embed/hash_embedder.h"
#include "privacy/pii_scanner.h"

namespace iccache::table {

// Throws iccache::Error "<what>: the text is not valid UTF-8 (invalid byte at offset N);
// expected UTF-8 text" unless `text` is valid UTF-8.
void require_utf8(std::string_view text, const std::string& what);

// The vector of request text `text` (`embedder` null: embedder='none', of dim dimensions).
// `what` names the argument or column in errors.
std::vector<float> embed_request(HashEmbedder* embedder, int dim, std::string_view text, const std::string& what);

// The same for a query: under pii='redact' or 'reject' the text is redacted first, so that
// it is embedded as a stored example holding it would have been, and no vector of raw
// personal data reaches the decision log (docs/privacy.md).
std::vector<float> embed_query(HashEmbedder* embedder, int dim, PiiMode pii, std::string_view text,
                               const std::string& what);

}  // namespace iccache::table
