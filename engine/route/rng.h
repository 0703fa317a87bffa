// Deterministic random numbers for routing. Each decision draws from its own stream,
// derived from the table's seed and the decision id, so a reopened cache continues the
// same sequence without persisting generator state, and a rolled-back decision id yields
// the same draws when it is reused.
#pragma once
#include <cmath>
#include <cstdint>

namespace iccache::route {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class DecisionRng {
 public:
  DecisionRng(uint64_t seed, uint64_t stream) : state_(splitmix64(seed) ^ splitmix64(~stream)) {}

  uint64_t next() { return splitmix64(state_ += 0x9E3779B97F4A7C15ull); }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Standard normal (Box-Muller; the second value is dropped to keep draws independent of
  // how many normals a caller asks for).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace iccache::route
