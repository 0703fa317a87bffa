#include "select/threshold_tuner.h"

#include <cmath>
#include <cstring>

#include "route/rng.h"

namespace iccache::select {

namespace {
constexpr uint64_t kTunerStream = 0x7E5E0D5E1EC7ull;  // keeps these draws apart from routing's
}

double TunerArm::variance() const {
  if (n < 2) return 0;
  const double m = sum / n;
  return std::max(0.0, (sum_sq - n * m * m) / (n - 1));
}

ThresholdTuner::ThresholdTuner(std::vector<double> grid, double explore_share, double prefill_penalty,
                               uint64_t seed)
    : grid_(std::move(grid)), explore_(explore_share), penalty_(prefill_penalty), seed_(seed),
      arms_(grid_.size()) {
  if (grid_.empty()) grid_ = {0}, arms_.resize(1);
}

int64_t ThresholdTuner::total() const {
  int64_t n = 0;
  for (const TunerArm& a : arms_) n += a.n;
  return n;
}

ThresholdDraw ThresholdTuner::draw(uint64_t key) const {
  if (explore_ <= 0 || total() == 0) return {current_, false};
  route::DecisionRng rng(seed_ ^ kTunerStream, key);
  if (rng.uniform() >= explore_) return {current_, false};
  return {static_cast<int>(rng.next() % grid_.size()), true};
}

bool ThresholdTuner::record(int index, double reward, int shown) {
  if (index < 0 || index >= static_cast<int>(arms_.size())) return false;
  const double v = reward - penalty_ * shown;
  TunerArm& a = arms_[index];
  ++a.n;
  a.sum += v;
  a.sum_sq += v * v;
  const TunerArm& c = arms_[current_];
  if (c.n < kMinSamples) return false;
  int best = current_;
  for (int i = 0; i < static_cast<int>(arms_.size()); ++i)
    if (arms_[i].n >= kMinSamples && arms_[i].mean() > arms_[best].mean()) best = i;
  if (best == current_) return false;
  const TunerArm& b = arms_[best];
  const double se = std::sqrt(b.variance() / b.n + c.variance() / c.n);
  if (b.mean() - c.mean() <= kZ * se + 1e-12) return false;
  current_ = best;
  return true;
}

std::string ThresholdTuner::serialize() const {
  std::string out;
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  const int64_t cur = current_;
  put(&cur, 8);
  for (const TunerArm& a : arms_) {
    put(&a.n, 8);
    put(&a.sum, 8);
    put(&a.sum_sq, 8);
  }
  return out;
}

bool ThresholdTuner::deserialize(std::string_view blob) {
  if (blob.size() != 8 + 24 * arms_.size()) return false;
  int64_t cur = 0;
  std::memcpy(&cur, blob.data(), 8);
  if (cur < 0 || cur >= static_cast<int64_t>(arms_.size())) return false;
  std::vector<TunerArm> arms(arms_.size());
  const char* p = blob.data() + 8;
  for (TunerArm& a : arms) {
    std::memcpy(&a.n, p, 8);
    std::memcpy(&a.sum, p + 8, 8);
    std::memcpy(&a.sum_sq, p + 16, 8);
    p += 24;
    if (a.n < 0 || !std::isfinite(a.sum) || !std::isfinite(a.sum_sq)) return false;
  }
  current_ = static_cast<int>(cur);
  arms_ = std::move(arms);
  return true;
}

uint64_t request_key(const float* v, int dim) {
  uint64_t h = 0x1CCAC4E5ull;
  for (int i = 0; i < dim; ++i) {
    uint32_t bits = 0;
    std::memcpy(&bits, &v[i], 4);
    h = route::splitmix64(h ^ bits);
  }
  return h;
}

}  // namespace iccache::select
