#include "index/assigner.h"

#include <utility>

namespace iccache::index {

void Assigner::load(int64_t epoch, std::vector<float> centroids, std::vector<float> sq8_ranges) {
  IvfIndex a(index_.dim(), index_.sq8());
  if (!centroids.empty()) a.set_training(std::move(centroids), std::move(sq8_ranges));
  index_ = std::move(a);
  epoch_ = epoch;
  loaded_ = true;
}

Assigner::Placement Assigner::place(const float* v) const {
  Placement p;
  p.list = index_.assign(v);
  if (index_.sq8() && index_.trained()) {
    p.code.resize(index_.dim());
    index_.encode(v, p.code.data());
  }
  return p;
}

}  // namespace iccache::index
