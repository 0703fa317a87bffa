#include "select/dedup.h"

#include <cmath>

namespace iccache::select {

std::optional<std::vector<float>> unit_vector(std::span<const float> v) {
  double norm = 0;
  for (float x : v) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (!(norm > 0)) return std::nullopt;
  std::vector<float> unit(v.begin(), v.end());
  for (float& x : unit) x = static_cast<float>(x / norm);
  return unit;
}

DedupAdmission dedup_admission(std::span<const StoredCopy> copies, double quality) {
  DedupAdmission out;
  for (const StoredCopy& c : copies)
    if (c.quality >= quality) {
      out.keep = c.id;
      return out;
    }
  out.replace.assign(copies.begin(), copies.end());
  return out;
}

}  // namespace iccache::select
