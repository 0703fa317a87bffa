// One training of the IVF index, as pure computation on a snapshot of the vectors (no
// storage): K = round(sqrt(N)) spherical k-means lists on the distinct vectors, every vector
// assigned to its nearest centroid, SQ8 ranges, the built index, and nprobe tuned on it.
// The caller reads the snapshot and writes the result (training_run.h), either inside
// the statement that asked ('optimize') or on a background thread while others write.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "index/ivf_index.h"
#include "index/nprobe_tuner.h"

namespace iccache::index {

// The vectors to train on, in id order (so a training is deterministic for a seed).
struct TrainingSet {
  std::vector<int64_t> ids;
  std::vector<std::string> tenants;
  std::vector<float> data;  // ids.size() x dim
  size_t size() const { return ids.size(); }
};

struct IvfTraining {
  std::vector<float> centroids;  // k x dim
  std::vector<float> ranges;     // SQ8 ranges (2 x dim), empty without SQ8
  std::vector<int32_t> lists;    // list of each vector of the set
  IvfIndex index;                // every vector of the set, in its list (with codes)
  NprobeTuning tuning{1, 0};
  double kmeans_s = 0, assign_s = 0, build_s = 0, tune_s = 0;
  IvfTraining(int dim, bool sq8) : index(dim, sq8) {}
};

// Progress callback: phase name ("kmeans", "assigning", "building", "tuning") and the share
// of the whole computation done, from 0 to 1.
using TrainingProgressFn = std::function<void(std::string_view phase, double share)>;

// The lists a training of n vectors makes: K = round(sqrt(N)), at least 1 (fewer when the
// set holds fewer distinct vectors).
int64_t ivf_list_count(int64_t n);

// Trains on a non-empty set. Throws iccache::Error when FAISS fails.
IvfTraining train_ivf(const TrainingSet& set, int dim, bool sq8, uint64_t seed,
                      const TrainingProgressFn& progress = nullptr);

}  // namespace iccache::index
