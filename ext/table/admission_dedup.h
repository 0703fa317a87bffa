// dedup=on (issue 15): admission keeps one example per request. A new row whose request is
// already stored (same tenant, same request text, same embedding up to float rounding) is
// compared with the stored copies by quality, the judged value: the better one stays.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codec/text_codec.h"

namespace iccache::ext {

struct Table;

struct StoredCopy {
  int64_t id;
  double quality;
};

// The stored copies of (tenant, request, vec): found through the index (the vector's nearest
// neighbours at cosine 1), then checked on the stored text and tenant.
std::vector<StoredCopy> stored_copies(Table& t, const std::string& tenant, const EncodedText& request,
                                      const std::vector<float>& vec);

}  // namespace iccache::ext
