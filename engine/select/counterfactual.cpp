#include "select/counterfactual.h"

#include <algorithm>
#include <cstring>

#include "route/rng.h"
#include "select/learning.h"

namespace iccache::select {

namespace {
// A stream of its own, apart from the router's draws for the same decision.
constexpr uint64_t kProbeStream = 0x636f756e74657266ull;  // "counterf"
}  // namespace

Probe choose_probe(uint64_t seed, int64_t decision, size_t n, double rate) {
  Probe p;
  p.kept.assign(n, 1);
  if (n == 0 || rate <= 0) return p;
  route::DecisionRng rng(seed ^ kProbeStream, static_cast<uint64_t>(decision));
  if (rng.uniform() >= rate) return p;
  p.probe = true;
  const double variant = rng.uniform();
  if (variant < 1.0 / 3) {
    std::fill(p.kept.begin(), p.kept.end(), 0);  // none
  } else if (variant < 2.0 / 3) {
    p.kept[std::min(n - 1, static_cast<size_t>(rng.uniform() * n))] = 0;  // all but one
  } else {
    for (uint8_t& k : p.kept) k = rng.uniform() < 0.5 ? 1 : 0;  // a random half
  }
  return p;
}

std::optional<Probe> probe_for(const TableOptions& o, std::string_view arm, int64_t decision, size_t n) {
  if (!o.select.counterfactual || n == 0 || !learns_from(o.models, arm)) return std::nullopt;
  return choose_probe(o.seed, decision, n, o.select.counterfactual_rate);
}

double counterfactual_label(double reward, double baseline, bool kept) {
  const double advantage = reward - baseline;
  return std::clamp(kept ? 0.5 + advantage : 0.5 - advantage, 0.0, 1.0);
}

std::string encode_trailer(const std::vector<uint8_t>& kept, double baseline) {
  std::string out((kept.size() + 1) * sizeof(double), '\0');
  for (size_t i = 0; i < kept.size(); ++i) {
    const double v = kept[i] ? 1.0 : 0.0;
    std::memcpy(out.data() + i * sizeof v, &v, sizeof v);
  }
  std::memcpy(out.data() + kept.size() * sizeof baseline, &baseline, sizeof baseline);
  return out;
}

std::optional<Trailer> decode_trailer(std::string_view bytes, size_t shown) {
  if (bytes.size() != (shown + 1) * sizeof(double)) return std::nullopt;
  Trailer t;
  t.kept.resize(shown);
  for (size_t i = 0; i < shown; ++i) {
    double v = 0;
    std::memcpy(&v, bytes.data() + i * sizeof v, sizeof v);
    t.kept[i] = v != 0 ? 1 : 0;
  }
  std::memcpy(&t.baseline, bytes.data() + shown * sizeof(double), sizeof(double));
  return t;
}

}  // namespace iccache::select
