// The stored forms of the IVF index's training and vectors, checked as they are read back
// (ext/index/index_store.h keeps them in T_centroids, T_state 'sq8_ranges' and T_vectors):
// a value of another size is damage, reported as CorruptData and never read past.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace iccache::index {

// Appends the centroid stored as `blob` in row `list` to `out` (k x dim floats so far);
// rows come in list order, so `list` must be the next one (out.size() / dim).
void append_centroid(std::vector<float>& out, int64_t list, std::string_view blob, int dim);

// The SQ8 ranges (2 x dim floats) stored as `blob`.
std::vector<float> sq8_ranges_of(std::string_view blob, int dim);

// Copies example `id`'s stored float32 vector into out (dim floats: blobs need not be
// aligned). A blob of another size throws CorruptData "<table>: the stored vector of example
// <id> has N bytes; expected M" (without "<table>: " when table is empty): every reader of
// T_vectors (the index, the store, the router, the training) checks with this one rule.
void copy_vector(std::string_view blob, int dim, int64_t id, float* out, std::string_view table = {});

}  // namespace iccache::index
