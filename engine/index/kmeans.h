// Training of the IVF coarse quantizer and the 8-bit scalar quantizer, on FAISS.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iccache::index {

struct KmeansParams {
  int niter = 12;                      // Lloyd iterations; more barely moves recall
  int max_points_per_centroid = 64;    // subsample: bounds training time at large N
  uint64_t seed = 1234;
};

// Spherical k-means (unit centroids, inner product) of n unit vectors into k centroids.
// Returns k x dim floats. Throws iccache::Error when k < 1, n < k, or FAISS fails.
std::vector<float> train_centroids(const float* data, size_t n, int dim, int k,
                                   const KmeansParams& params = {});

// The distinct vectors among n (bitwise equal ones once, first occurrence order), as
// row-major floats. k-means trains on these: on heavily duplicated data (one FAQ asked two
// thousand times) the duplicates otherwise pull most centroids onto one point and leave
// their lists empty.
std::vector<float> distinct_vectors(const float* data, size_t n, int dim);

// Nearest centroid (largest inner product) of each of n vectors; BLAS-backed in batches.
std::vector<int32_t> assign_to_centroids(const float* centroids, int k, const float* data,
                                         size_t n, int dim);

// Per-dimension range of an 8-bit scalar quantizer (FAISS QT_8bit, min/max): 2 x dim floats
// (vmin then vdiff), trained on n vectors.
std::vector<float> train_sq8(const float* data, size_t n, int dim);

}  // namespace iccache::index
