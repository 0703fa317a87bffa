// A search result and the total order of results.
#pragma once
#include <cstdint>

namespace iccache::index {

struct Hit {
  int64_t id;
  float score;  // inner product of unit vectors = cosine similarity
};

// Higher score first, then the smaller id, so equal scores come back in a stable,
// documented order.
inline bool better_hit(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

}  // namespace iccache::index
