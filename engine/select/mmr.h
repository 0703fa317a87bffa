// Maximal marginal relevance (Carbonell and Goldstein, SIGIR 1998), the diversity option of
// selection: picks examples one at a time, each maximising
//     (1 - diversity) * relevance(i) - diversity * max over picked j of similarity(i, j),
// so a candidate close to one already picked loses to a slightly less relevant one that
// covers something else. diversity 0 is plain ranking by relevance (ties: lower index
// first), 1 ignores relevance after the first pick. LangChain's MaxMarginalRelevance selector
// calls 1 - diversity `lambda_mult`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace iccache::select {

// Indices into `relevance`, in pick order, at most k. `similarity(i, j)` is the cosine of
// candidates i and j (called only for i not yet picked and j picked). Deterministic: equal
// scores go to the lower index.
std::vector<size_t> mmr_order(std::span<const double> relevance,
                              const std::function<double(size_t, size_t)>& similarity, size_t k,
                              double diversity);

// Cosine of two unit vectors of `dim` floats (the stored vectors are L2-normalised).
double unit_cosine(const float* a, const float* b, size_t dim);

// The cosine of two examples by id, for MMR's similarity: each example's stored unit vector
// (`dim` floats) is read once through `read` and kept for the rest of the selection.
std::function<double(int64_t, int64_t)> cached_cosine(std::function<std::vector<float>(int64_t)> read, size_t dim);

}  // namespace iccache::select
