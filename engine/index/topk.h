// Bounded top-k accumulator shared by every search: keeps the k best hits seen so far in a
// heap whose front is the worst of them, so each candidate costs O(log k) at most and most
// cost one comparison.
#pragma once
#include <algorithm>
#include <vector>

#include "index/hit.h"

namespace iccache::index {

class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k + 1); }

  // The score a candidate must beat to enter (when full); -inf-like before that.
  bool full() const { return heap_.size() >= k_; }
  float threshold() const { return heap_.front().score; }

  void push(int64_t id, float score) {
    Hit h{id, score};
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), better_hit);
    } else if (better_hit(h, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better_hit);
      heap_.back() = h;
      std::push_heap(heap_.begin(), heap_.end(), better_hit);
    }
  }

  size_t size() const { return heap_.size(); }

  // The hits, best first; leaves the accumulator empty.
  std::vector<Hit> take_sorted() {
    std::sort(heap_.begin(), heap_.end(), better_hit);
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<Hit> heap_;  // std heap ordered by better_hit: front = worst kept hit
};

}  // namespace iccache::index
