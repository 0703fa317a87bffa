#include "ext/index/index_registry.h"

#include <sys/stat.h>

#include <map>
#include <mutex>

namespace iccache::ext {

namespace {
std::mutex mu;
// weak_ptr: the cache lives as long as a connection of the process uses it.
std::map<std::string, std::weak_ptr<IndexCache>>& registry() {
  static auto* m = new std::map<std::string, std::weak_ptr<IndexCache>>();  // never destroyed:
  return *m;  // connections may close during static destruction
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}
}  // namespace

std::shared_ptr<IndexCache> shared_index(sqlite3* db, const std::string& schema, const std::string& table,
                                         int64_t instance, int dim, bool sq8) {
  if (sqlite3_stricmp(schema.c_str(), "temp") == 0) return nullptr;
  const char* file = sqlite3_db_filename(db, schema.c_str());
  if (!file || !*file) return nullptr;
  struct stat st {};
  if (::stat(file, &st) != 0) return nullptr;
  const std::string key = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                          std::to_string(instance) + ":" + std::to_string(dim) + ":" + (sq8 ? "sq8" : "flat") +
                          ":" + lower(table);
  std::lock_guard lock(mu);
  auto& m = registry();
  for (auto it = m.begin(); it != m.end();) it = it->second.expired() ? m.erase(it) : std::next(it);
  if (auto found = m[key].lock()) return found;
  auto made = std::make_shared<IndexCache>(dim, sq8);
  m[key] = made;
  return made;
}

}  // namespace iccache::ext
