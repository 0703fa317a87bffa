#include "index/shared_registry.h"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace iccache::index {

namespace {
struct Entry {
  // weak: the state lives as long as a connection (or a background training) of the
  // process uses it.
  std::weak_ptr<IndexCache> cache;
  std::weak_ptr<TrainingStatus> training;
  std::weak_ptr<select::FollowedAttributes> attributes;
  std::weak_ptr<lexical::LexicalCache> lexical;
};

std::mutex mu;
std::map<std::string, Entry>& registry() {
  static auto* m = new std::map<std::string, Entry>();  // never destroyed: connections
  return *m;                                            // may close during static destruction
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string key_of(const TableIdentity& id) {
  return std::to_string(id.device) + ":" + std::to_string(id.inode) + ":" + std::to_string(id.instance) + ":" +
         std::to_string(id.dim) + ":" + (id.sq8 ? "sq8" : "flat") + ":" + lower(id.table);
}

// The registry's state of one kind, or a new one the registry then remembers.
template <class T, class... Args>
std::shared_ptr<T> lock_or_make(std::weak_ptr<T>& slot, Args&&... args) {
  std::shared_ptr<T> p = slot.lock();
  if (!p) {
    p = std::make_shared<T>(std::forward<Args>(args)...);
    slot = p;
  }
  return p;
}
}  // namespace

SharedTable shared_table(const TableIdentity& id, const std::string& path) {
  std::lock_guard lock(mu);
  auto& m = registry();
  for (auto it = m.begin(); it != m.end();)
    it = it->second.cache.expired() && it->second.training.expired() && it->second.attributes.expired() &&
                 it->second.lexical.expired()
             ? m.erase(it)
             : std::next(it);
  Entry& e = m[key_of(id)];
  SharedTable out;
  out.path = path;
  out.cache = lock_or_make(e.cache, id.dim, id.sq8);
  out.training = lock_or_make(e.training);
  out.attributes = lock_or_make(e.attributes);
  out.lexical = lock_or_make(e.lexical);
  return out;
}

}  // namespace iccache::index
