#include "index/kmeans.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/impl/ScalarQuantizer.h>

#include <string>
#include <string_view>
#include <unordered_set>

#include "common/error.h"

namespace iccache::index {

namespace {
// FAISS reports failures as exceptions (FaissException derives from std::exception); the
// engine's contract is iccache::Error with a sentence, so wrap them here.
template <class Fn>
auto faiss_call(const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(std::string(what) + " ran out of memory");
  } catch (const std::exception& e) {
    throw Error(std::string(what) + " failed in FAISS: " + e.what());
  }
}
}  // namespace

std::vector<float> train_centroids(const float* data, size_t n, int dim, int k,
                                   const KmeansParams& params) {
  if (k < 1 || n < static_cast<size_t>(k))
    throw Error("k-means needs at least as many vectors as centroids; got " + std::to_string(n) +
                " vectors for " + std::to_string(k) + " centroids");
  return faiss_call("k-means training", [&] {
    faiss::ClusteringParameters cp;
    cp.niter = params.niter;
    cp.spherical = true;
    cp.max_points_per_centroid = params.max_points_per_centroid;
    cp.min_points_per_centroid = 1;
    cp.seed = static_cast<int>(params.seed & 0x7fffffff);
    cp.verbose = false;
    faiss::Clustering clus(dim, k, cp);
    faiss::IndexFlatIP index(dim);
    clus.train(static_cast<faiss::Index::idx_t>(n), data, index);
    return std::vector<float>(clus.centroids.begin(), clus.centroids.end());
  });
}

std::vector<float> distinct_vectors(const float* data, size_t n, int dim) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(dim);
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  std::vector<float> out;
  for (size_t i = 0; i < n; ++i) {
    const float* v = data + i * dim;
    if (seen.insert(std::string_view(reinterpret_cast<const char*>(v), bytes)).second)
      out.insert(out.end(), v, v + dim);
  }
  return out;
}

std::vector<int32_t> assign_to_centroids(const float* centroids, int k, const float* data,
                                         size_t n, int dim) {
  return faiss_call("assigning vectors to lists", [&] {
    faiss::IndexFlatIP index(dim);
    index.add(k, centroids);
    std::vector<int32_t> out(n);
    constexpr size_t kBatch = 16384;  // bounds the distance buffer FAISS allocates
    std::vector<float> dist(kBatch);
    std::vector<faiss::Index::idx_t> label(kBatch);
    for (size_t start = 0; start < n; start += kBatch) {
      size_t m = std::min(kBatch, n - start);
      index.search(static_cast<faiss::Index::idx_t>(m), data + start * dim, 1, dist.data(),
                   label.data());
      for (size_t i = 0; i < m; ++i) out[start + i] = static_cast<int32_t>(label[i]);
    }
    return out;
  });
}

std::vector<float> train_sq8(const float* data, size_t n, int dim) {
  if (n == 0) throw Error("the scalar quantizer needs at least one vector to train on");
  return faiss_call("scalar quantizer training", [&] {
    faiss::ScalarQuantizer sq(dim, faiss::ScalarQuantizer::QT_8bit);
    sq.rangestat = faiss::ScalarQuantizer::RS_minmax;
    sq.train(n, data);
    return sq.trained;
  });
}

}  // namespace iccache::index
