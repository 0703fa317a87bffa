#include "ext/index/index_registry.h"

#include <sys/stat.h>

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "ext/index/index_trainer.h"
#include "ext/select/select_attributes.h"

namespace iccache::ext {

namespace {
struct Entry {
  // weak: the state lives as long as a connection (or a background training) of the
  // process uses it.
  std::weak_ptr<IndexCache> cache;
  std::weak_ptr<TrainingStatus> training;
  std::weak_ptr<SharedAttributes> attributes;
  std::weak_ptr<LexicalCache> lexical;
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

// Hands a privately built cache (vector or lexical) to the shared one, unless the shared one
// already holds that state or a later one; `copy_rest` moves what only that kind has.
template <class Cache, class CopyRest>
void offer_built(Cache& c, Cache& built, CopyRest copy_rest) {
  if (!built.loaded) return;
  std::lock_guard update(c.update_mu);
  if (c.loaded && c.gen == built.gen) return;
  if (c.loaded && c.seq >= 0 && built.seq >= 0 && c.seq > built.seq) return;  // shared is ahead
  std::unique_lock lock(c.mu);
  std::swap(c.index, built.index);
  c.loaded = true;
  c.seq = built.seq;
  c.gen = built.gen;
  copy_rest(c, built);
  built.loaded = false;
}
}  // namespace

std::optional<SharedTable> shared_table(sqlite3* db, const std::string& schema, const std::string& table,
                                        int64_t instance, int dim, bool sq8) {
  if (sqlite3_stricmp(schema.c_str(), "temp") == 0) return std::nullopt;
  const char* file = sqlite3_db_filename(db, schema.c_str());
  if (!file || !*file) return std::nullopt;
  struct stat st {};
  if (::stat(file, &st) != 0) return std::nullopt;  // e.g. a memdb URI: no file of that name
  const std::string key = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                          std::to_string(instance) + ":" + std::to_string(dim) + ":" + (sq8 ? "sq8" : "flat") +
                          ":" + lower(table);
  std::lock_guard lock(mu);
  auto& m = registry();
  for (auto it = m.begin(); it != m.end();)
    it = it->second.cache.expired() && it->second.training.expired() && it->second.attributes.expired() &&
                 it->second.lexical.expired()
             ? m.erase(it)
             : std::next(it);
  Entry& e = m[key];
  SharedTable out;
  out.path = file;
  out.cache = lock_or_make(e.cache, dim, sq8);
  out.training = lock_or_make(e.training);
  out.attributes = lock_or_make(e.attributes);
  out.lexical = lock_or_make(e.lexical);
  return out;
}

void offer_index(IndexCache& c, IndexCache& built) {
  offer_built(c, built, [](IndexCache& to, const IndexCache& from) {
    to.epoch = from.epoch;
    to.nprobe = from.nprobe;
  });
}

void offer_lexical(LexicalCache& c, LexicalCache& built) {
  offer_built(c, built, [](LexicalCache& to, const LexicalCache& from) { to.load_seconds = from.load_seconds; });
}

}  // namespace iccache::ext
