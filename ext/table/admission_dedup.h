// dedup=on: finding the stored copies of a new example's request (the rules are
// engine/select/dedup.h).
#pragma once
#include <string>
#include <vector>

#include "codec/text_codec.h"
#include "select/dedup.h"

namespace iccache::ext {

struct Table;

// The stored copies of (tenant, request, vec): found through the index (the vector's nearest
// neighbours at cosine 1), then checked on the stored text and tenant.
std::vector<select::StoredCopy> stored_copies(Table& t, const std::string& tenant, const EncodedText& request,
                                              const std::vector<float>& vec);

}  // namespace iccache::ext
