#include "table/request_embedding.h"

#include "common/error.h"
#include "common/utf8.h"
#include "vector/vector_parse.h"

namespace iccache::table {

void require_utf8(std::string_view text, const std::string& what) { utf8::require_valid(text, what + ": the text"); }

std::vector<float> embed_request(HashEmbedder* embedder, int dim, std::string_view text, const std::string& what) {
  require_utf8(text, what);
  if (!embedder)
    throw Error(what + ": received TEXT, which is always request text, but the table has "
                "embedder='none'; expected a vector as a float32 BLOB of " + std::to_string(dim) + " dimensions" +
                (looks_like_json_array(text) ? ": write iccache_vector('[...]') around a JSON array"
                                             : " (iccache_vector('[...]') makes one from a JSON array)"));
  try {
    return embedder->embed(text);
  } catch (const Error& e) {
    throw Error(what + ": the text " + e.what());
  }
}

std::vector<float> embed_query(HashEmbedder* embedder, int dim, PiiMode pii, std::string_view text,
                               const std::string& what) {
  std::string redacted;
  if (pii != PiiMode::kOff && utf8::valid(text) && redact_pii(text, &redacted))
    return embed_request(embedder, dim, redacted, what);
  return embed_request(embedder, dim, text, what);
}

}  // namespace iccache::table
