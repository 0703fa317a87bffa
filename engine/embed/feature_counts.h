// Occurrence counts of hashed features for one text: an open-addressing table (linear
// probing, power-of-two capacity, at most 3/4 full) that keeps its arrays across texts,
// so embedding a text allocates nothing once the largest text so far has been seen.
// std::unordered_map allocated a node per distinct feature, hundreds per request.
#pragma once
#include <cstdint>
#include <algorithm>
#include <vector>

namespace iccache {

class FeatureCounts {
 public:
  // Feature keys carry their type in the low two bits, which are never 3 (see
  // text_features.h), so this value never collides with a real key.
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  // Empties the table, making room for at least `expected` distinct keys.
  void reset(size_t expected) {
    size_t cap = 16;
    while (cap < 2 * expected) cap *= 2;
    if (cap > keys_.size()) {
      keys_.assign(cap, kEmpty);
      counts_.assign(cap, 0.0f);
      used_.reserve(cap / 2);
    } else {
      for (uint32_t slot : used_) keys_[slot] = kEmpty;
    }
    used_.clear();
  }

  // Frees the arrays when they hold more than `bytes` (after a long text).
  void release_if_over(size_t bytes) {
    if (keys_.capacity() * (sizeof(uint64_t) + sizeof(float) + sizeof(uint32_t)) <= bytes) return;
    std::vector<uint64_t>().swap(keys_);
    std::vector<float>().swap(counts_);
    std::vector<uint32_t>().swap(used_);
  }

  // Distinct keys held.
  size_t size() const { return used_.size(); }

  // The count of `key`, inserted at 0 when new. The table doubles when 3/4 full, so
  // `expected` is only a hint.
  float& operator[](uint64_t key) {
    if (4 * (used_.size() + 1) > 3 * keys_.size()) grow();
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
  void grow() {
    std::vector<uint64_t> old_keys(std::max<size_t>(32, 2 * keys_.size()), kEmpty);
    std::vector<float> old_counts(old_keys.size(), 0.0f);
    old_keys.swap(keys_);
    old_counts.swap(counts_);
    std::vector<uint32_t> old_used;
    old_used.swap(used_);
    used_.reserve(keys_.size() * 3 / 4);
    const size_t mask = keys_.size() - 1;
    for (uint32_t s : old_used) {  // re-insert in insertion order: deterministic
      const uint64_t key = old_keys[s];
      size_t slot = static_cast<size_t>(key ^ (key >> 29)) & mask;
      while (keys_[slot] != kEmpty) slot = (slot + 1) & mask;
      keys_[slot] = key;
      counts_[slot] = old_counts[s];
      used_.push_back(static_cast<uint32_t>(slot));
    }
  }

 public:

 private:
  std::vector<uint64_t> keys_;
  std::vector<float> counts_;
  std::vector<uint32_t> used_;  // occupied slots, to clear only those
};

}  // namespace iccache
