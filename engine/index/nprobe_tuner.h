// Chooses nprobe after training: the smallest number of lists whose recall@k, measured on
// a sample of the table's own vectors used as queries (each excluding itself), reaches the
// target. Data sets differ wildly (well-clustered vectors need 1 list, hashed n-gram text
// a third of them), so a fixed default would be either slow or inaccurate.
#pragma once
#include <cstddef>
#include <cstdint>

#include "index/ivf_index.h"

namespace iccache::index {

struct NprobeTuning {
  int nprobe;       // chosen value (nlist when the target is never reached)
  double recall;    // measured recall@k at that value
};

// data: n x dim row-major vectors with ids[i]; the same vectors as in `ivf`. The default
// target is three points above the 0.95 promised to users: the table's own vectors helped
// place the centroids, so as queries they find their neighbours in fewer lists than new
// requests do (measured 1 to 3 points of recall at equal nprobe, bench/bench_ivf), and the
// smallest nprobe that passes on a 128-query sample is biased low by the sample's luck.
NprobeTuning tune_nprobe(const IvfIndex& ivf, const float* data, const int64_t* ids, size_t n,
                         int k = 10, double target = 0.98, int samples = 128);

}  // namespace iccache::index
