// Occurrence counts of hashed features for one text: an open-addressing table (linear
// probing, power-of-two capacity, at most half full) that keeps its arrays across texts,
// so embedding a text allocates nothing once the largest text so far has been seen.
// std::unordered_map allocated a node per distinct feature, hundreds per request.
#pragma once
#include <cstdint>
#include <vector>

namespace iccache {

class FeatureCounts {
 public:
  // Feature keys carry their type in the low two bits, which are never 3 (see
  // hash_embedder.cpp), so this value never collides with a real key.
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  // Empties the table, making room for at least `expected` distinct keys.
  void reset(size_t expected) {
    size_t cap = 16;
    while (cap < 2 * expected) cap *= 2;
    if (cap > keys_.size()) {
      keys_.assign(cap, kEmpty);
      counts_.assign(cap, 0.0f);
      used_.reserve(cap);
    } else {
      for (uint32_t slot : used_) keys_[slot] = kEmpty;
    }
    used_.clear();
  }

  // The count of `key`, inserted at 0 when new. Precondition: fewer distinct keys than
  // `expected` passed to reset().
  float& operator[](uint64_t key) {
    const size_t mask = keys_.size() - 1;
    size_t slot = static_cast<size_t>(key ^ (key >> 29)) & mask;
    while (keys_[slot] != key) {
      if (keys_[slot] == kEmpty) {
        keys_[slot] = key;
        counts_[slot] = 0.0f;
        used_.push_back(static_cast<uint32_t>(slot));
        break;
      }
      slot = (slot + 1) & mask;
    }
    return counts_[slot];
  }

 private:
  std::vector<uint64_t> keys_;
  std::vector<float> counts_;
  std::vector<uint32_t> used_;  // occupied slots, to clear only those
};

}  // namespace iccache
