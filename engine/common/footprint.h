// Stored size of one example, the weight that byte budgets and eviction use, and the value
// of the `bytes` column. Counts what the example occupies in the file: its encoded texts,
// model and tenant names, its float32 vector, and a fixed per-row overhead for record
// headers, rowids and b-tree cell pointers in the two shadow rows.
#pragma once
#include <cstdint>

namespace iccache {

constexpr int64_t kRowOverheadBytes = 64;

inline int64_t example_bytes(int64_t request_bytes, int64_t response_bytes, int64_t model_bytes,
                             int64_t tenant_bytes, int dim) {
  return request_bytes + response_bytes + model_bytes + tenant_bytes +
         static_cast<int64_t>(dim) * 4 + kRowOverheadBytes;
}

}  // namespace iccache
