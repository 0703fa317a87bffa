// The in-memory vector set behind selection: unit vectors keyed by example id, each in a
// tenant partition, with exact inner-product (cosine) top-k search. It is a cache of the
// shadow tables, rebuilt from them whenever they changed behind its back; it is also the
// reference the IVF index must match in recall.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/hit.h"
#include "index/tenant_dictionary.h"

namespace iccache::index {

class ExactIndex {
 public:
  explicit ExactIndex(int dim);

  int dim() const { return dim_; }
  size_t size() const { return ids_.size(); }
  void clear();
  void reserve(size_t n);

  // Adds the vector (dim floats, expected unit length) or replaces the one stored for id.
  void upsert(int64_t id, const float* vec, std::string_view tenant);
  // Returns false when the id is not present.
  bool remove(int64_t id);
  bool contains(int64_t id) const { return pos_.count(id) != 0; }
  // Stored vector of id, or nullptr.
  const float* vector(int64_t id) const;
  // Tenant of id; precondition: contains(id).
  const std::string& tenant(int64_t id) const;

  // Exact top-k by inner product with query q (dim floats), best first (see better_hit).
  // With a tenant, only that partition is searched, so k rows of it come back whenever
  // it holds k rows. k must be >= 1.
  std::vector<Hit> search(const float* q, int k, const std::string* tenant = nullptr) const;

 private:

  int dim_;
  std::vector<float> data_;     // size() x dim_, row-major, dense (swap-remove on delete)
  std::vector<int64_t> ids_;    // row -> id
  std::vector<int32_t> tenant_of_row_;
  std::unordered_map<int64_t, size_t> pos_;  // id -> row
  TenantDictionary tenants_;
  mutable std::vector<float> scores_;  // scratch: no per-query allocation beyond the result
};

}  // namespace iccache::index
