// The selection index: an inverted file (IVF) over unit vectors. Before training it is one
// list scanned in full (exact search); after training (spherical k-means, K lists) a query
// scans only the `nprobe` lists whose centroids are closest. Lists hold float32 vectors, or
// with SQ8 8-bit codes whose approximate scores are re-ranked with the float32 vectors the
// caller fetches (from their rows), so recall holds at a quarter of the memory.
//
// The index is a cache: its persistent form (centroids, quantizer ranges, each example's
// list and code) lives in the caller's storage, and `add` rebuilds it from there.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/hit.h"
#include "index/tenant_dictionary.h"

namespace iccache::index {

class IvfIndex {
 public:
  IvfIndex(int dim, bool sq8);

  int dim() const { return dim_; }
  bool sq8() const { return sq8_; }
  bool trained() const { return !centroids_.empty(); }
  int nlist() const { return static_cast<int>(lists_.size()); }
  size_t size() const { return where_.size(); }
  // Bytes per stored vector in the lists: 4 x dim (flat or untrained) or dim (SQ8).
  size_t code_bytes() const { return stores_codes() ? dim_ : sizeof(float) * dim_; }
  // Approximate heap bytes held (lists, ids, maps, centroids).
  size_t memory_bytes() const;

  // Forgets everything, training included.
  void clear();
  // Installs trained state (k x dim unit centroids; for SQ8, 2 x dim quantizer ranges) and
  // empties the lists: the caller re-adds every vector with its list.
  void set_training(std::vector<float> centroids, std::vector<float> sq8_ranges);
  const std::vector<float>& centroids() const { return centroids_; }
  const std::vector<float>& sq8_ranges() const { return sq8_ranges_; }

  // Nearest list of a vector (0 before training).
  int assign(const float* v) const;
  // SQ8 code of v (dim bytes); precondition: sq8() && trained().
  void encode(const float* v, uint8_t* code) const;

  // Adds or replaces id in `list`. Untrained or flat: `vec` (dim floats) is stored; trained
  // SQ8: `code` (dim bytes) is stored and vec may be null.
  void add(int64_t id, int list, std::string_view tenant, const float* vec, const uint8_t* code);
  bool remove(int64_t id);
  bool contains(int64_t id) const { return where_.count(id) != 0; }
  // List of id, or -1.
  int list_of(int64_t id) const;
  size_t list_size(int list) const { return lists_[list].ids.size(); }

  // Fills out[i * dim ..] with the float32 vector of ids[i]: used to re-rank SQ8 candidates.
  using FetchFn = std::function<void(const std::vector<int64_t>& ids, float* out)>;

  // Top-k by inner product, best first (ties: smaller id). Scans the nprobe closest lists,
  // and more while a tenant filter has found fewer than k of its rows, so a tenant gets k
  // rows whenever it holds k. nprobe >= nlist() is exact for flat lists. `fetch` is needed
  // for trained SQ8 only. `skip` (optional) leaves out the ids it returns true for (a
  // connection's overlay of uncommitted changes replaces those rows). Safe to call from
  // many threads at once (const, no shared scratch).
  using SkipFn = std::function<bool(int64_t id)>;
  std::vector<Hit> search(const float* q, int k, const std::string* tenant, int nprobe,
                          const FetchFn& fetch = nullptr, const SkipFn& skip = nullptr) const;

 private:
  struct List {
    std::vector<int64_t> ids;
    std::vector<int32_t> tenants;
    std::vector<float> vecs;      // flat / untrained
    std::vector<uint8_t> codes;   // trained SQ8
  };
  struct Where {
    int32_t list;
    uint32_t pos;
  };

  bool stores_codes() const { return sq8_ && trained(); }
  // Scores every row of list l (allowed by the tenant filter) into top; returns how many
  // rows passed the filter.
  size_t scan_list(int l, const float* q, const float* q_scaled, float q_bias, int32_t tenant,
                   const SkipFn& skip, class TopK& top) const;

  int dim_;
  bool sq8_;
  std::vector<float> centroids_;   // nlist x dim (empty before training)
  std::vector<float> sq8_ranges_;  // vmin[dim], vdiff[dim]
  std::vector<List> lists_;
  std::unordered_map<int64_t, Where> where_;
  TenantDictionary tenants_;
};

// How many SQ8 candidates are re-ranked with float32 vectors for a top-k query.
int sq8_rerank_count(int k);

}  // namespace iccache::index
