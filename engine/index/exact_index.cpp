#include "index/exact_index.h"

#include <Eigen/Core>
#include <cstring>

#include "common/error.h"
#include "index/topk.h"

namespace iccache::index {

ExactIndex::ExactIndex(int dim) : dim_(dim) {
  if (dim < 1) throw Error("vector dimension must be at least 1");
}

void ExactIndex::clear() {
  data_.clear();
  ids_.clear();
  tenant_of_row_.clear();
  pos_.clear();
  tenants_.clear();
}

void ExactIndex::reserve(size_t n) {
  data_.reserve(n * dim_);
  ids_.reserve(n);
  tenant_of_row_.reserve(n);
  pos_.reserve(n);
}

void ExactIndex::upsert(int64_t id, const float* vec, std::string_view tenant) {
  int32_t t = tenants_.intern(tenant);
  auto it = pos_.find(id);
  size_t row;
  if (it != pos_.end()) {
    row = it->second;
  } else {
    row = ids_.size();
    ids_.push_back(id);
    tenant_of_row_.push_back(t);
    data_.resize(data_.size() + dim_);
    pos_.emplace(id, row);
  }
  tenant_of_row_[row] = t;
  std::memcpy(&data_[row * dim_], vec, sizeof(float) * dim_);
}

bool ExactIndex::remove(int64_t id) {
  auto it = pos_.find(id);
  if (it == pos_.end()) return false;
  size_t row = it->second;
  size_t last = ids_.size() - 1;
  if (row != last) {  // keep rows dense: move the last row into the hole
    std::memcpy(&data_[row * dim_], &data_[last * dim_], sizeof(float) * dim_);
    ids_[row] = ids_[last];
    tenant_of_row_[row] = tenant_of_row_[last];
    pos_[ids_[row]] = row;
  }
  ids_.pop_back();
  tenant_of_row_.pop_back();
  data_.resize(last * dim_);
  pos_.erase(it);
  return true;
}

const float* ExactIndex::vector(int64_t id) const {
  auto it = pos_.find(id);
  return it == pos_.end() ? nullptr : &data_[it->second * dim_];
}

const std::string& ExactIndex::tenant(int64_t id) const {
  return tenants_.name(tenant_of_row_[pos_.at(id)]);
}

std::vector<Hit> ExactIndex::search(const float* q, int k, const std::string* tenant) const {
  std::vector<Hit> out;
  if (k < 1) throw Error("k must be at least 1");
  int32_t want = -1;
  if (tenant) {
    want = tenants_.find(*tenant);
    if (want < 0) return out;
  }
  const size_t n = ids_.size();
  if (n == 0) return out;
  // One matrix-vector product over all rows (memory-bound; Eigen vectorises it), then a
  // bounded heap. Filtering after scoring keeps the scan branch-free; the filter is still
  // inside the search, so a tenant gets k of its own rows.
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajor> m(data_.data(), static_cast<Eigen::Index>(n), dim_);
  Eigen::Map<const Eigen::VectorXf> qv(q, dim_);
  scores_.resize(n);
  Eigen::Map<Eigen::VectorXf>(scores_.data(), static_cast<Eigen::Index>(n)).noalias() = m * qv;

  TopK top(static_cast<size_t>(k));
  for (size_t r = 0; r < n; ++r)
    if (want < 0 || tenant_of_row_[r] == want) top.push(ids_[r], scores_[r]);
  return top.take_sorted();
}

}  // namespace iccache::index
