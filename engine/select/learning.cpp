#include "select/learning.h"

#include <algorithm>

namespace iccache::select {

bool learns_from(std::span<const ModelArm> models, std::string_view arm) {
  const ModelArm* served = nullptr;
  for (const ModelArm& m : models)
    if (m.name == arm) served = &m;
  if (!served) return false;
  double lo = models.front().cost, hi = lo;
  for (const ModelArm& m : models) lo = std::min(lo, m.cost), hi = std::max(hi, m.cost);
  return served->cost < hi || lo == hi;
}

}  // namespace iccache::select
