// The training a write places a new example's row with (ext/index/table_index.cpp
// put_index_row): the centroids and SQ8 ranges of the T_state 'epoch' they were read under,
// so that a write never needs the whole index, only its training.
#pragma once
#include <cstdint>
#include <vector>

#include "index/ivf_index.h"

namespace iccache::index {

class Assigner {
 public:
  Assigner(int dim, bool sq8) : index_(dim, sq8) {}

  // Whether it holds the training of `epoch` (if not, the caller reads it and load()s it).
  bool holds(int64_t epoch) const { return loaded_ && epoch_ == epoch; }
  // Takes the training of `epoch`: k x dim centroids (none: untrained, one list) and, for
  // SQ8, the 2 x dim ranges.
  void load(int64_t epoch, std::vector<float> centroids, std::vector<float> sq8_ranges);
  bool trained() const { return index_.trained(); }

  // Where a unit vector's row goes: its nearest list, and its SQ8 code when the table
  // quantizes and is trained (otherwise empty: the row holds no code).
  struct Placement {
    int list = 0;
    std::vector<uint8_t> code;
  };
  Placement place(const float* v) const;

 private:
  IvfIndex index_;
  bool loaded_ = false;
  int64_t epoch_ = 0;
};

}  // namespace iccache::index
