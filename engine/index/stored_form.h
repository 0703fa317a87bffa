// The stored forms of the IVF index's training and vectors, checked as they are read back
// (ext/index/index_store.h keeps them in T_centroids, T_state 'sq8_ranges' and T_vectors):
// a value of another size is damage, reported as CorruptData and never read past.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iccache::index {

// Appends the centroid stored as `blob` in row `list` to `out` (k x dim floats so far);
// rows come in list order, so `list` must be the next one (out.size() / dim).
void append_centroid(std::vector<float>& out, int64_t list, std::string_view blob, int dim);

// The SQ8 ranges (2 x dim floats) stored as `blob`.
std::vector<float> sq8_ranges_of(std::string_view blob, int dim);

// Throws CorruptData unless a stored float32 vector (codes: SQ8 code) of example `id` of
// table `table` holds the bytes `dim` asks for; the message ends with the integrity-check
// command to run (the index's rows, engine/index/index_follower.h).
void check_stored_blob(const std::string& table, int64_t id, size_t bytes, bool codes, int dim);

// Copies example `id`'s stored float32 vector into out (dim floats: blobs need not be
// aligned). A blob of another size throws CorruptData "<table>: the stored vector of example
// <id> has N bytes; expected M" (without "<table>: " when table is empty): the readers of
// T_vectors (the store, the router, the training) check with this rule, the index's rows
// with check_stored_blob: the same size rule and wording.
void copy_vector(std::string_view blob, int dim, int64_t id, float* out, std::string_view table = {});

}  // namespace iccache::index
