// Tenant names as small integers, so index rows carry 4 bytes instead of a string and the
// tenant filter inside a scan is an integer compare.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iccache::index {

class TenantDictionary {
 public:
  // The id of `name`, adding it when new.
  int32_t intern(std::string_view name) {
    auto it = ids_.find(std::string(name));
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<int32_t>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
    return id;
  }
  // The id of `name`, or -1 when no row ever had it.
  int32_t find(const std::string& name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? -1 : it->second;
  }
  const std::string& name(int32_t id) const { return names_[id]; }
  void clear() {
    names_.clear();
    ids_.clear();
  }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace iccache::index
