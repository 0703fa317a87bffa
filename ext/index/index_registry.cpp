#include "ext/index/index_registry.h"

#include <sys/stat.h>

#include <map>
#include <mutex>

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
  out.cache = e.cache.lock();
  if (!out.cache) {
    out.cache = std::make_shared<IndexCache>(dim, sq8);
    e.cache = out.cache;
  }
  out.training = e.training.lock();
  if (!out.training) {
    out.training = std::make_shared<TrainingStatus>();
    e.training = out.training;
  }
  out.attributes = e.attributes.lock();
  if (!out.attributes) {
    out.attributes = std::make_shared<SharedAttributes>();
    e.attributes = out.attributes;
  }
  out.lexical = e.lexical.lock();
  if (!out.lexical) {
    out.lexical = std::make_shared<LexicalCache>();
    e.lexical = out.lexical;
  }
  return out;
}

void offer_index(IndexCache& c, IndexCache& built) {
  if (!built.loaded) return;
  std::lock_guard update(c.update_mu);
  if (c.loaded && c.gen == built.gen) return;
  if (c.loaded && c.seq >= 0 && built.seq >= 0 && c.seq > built.seq) return;  // shared is ahead
  std::unique_lock lock(c.mu);
  std::swap(c.index, built.index);
  c.loaded = true;
  c.seq = built.seq;
  c.gen = built.gen;
  c.epoch = built.epoch;
  c.nprobe = built.nprobe;
  built.loaded = false;
}

void offer_lexical(LexicalCache& c, LexicalCache& built) {
  if (!built.loaded) return;
  std::lock_guard update(c.update_mu);
  if (c.loaded && c.gen == built.gen) return;
  if (c.loaded && c.seq >= 0 && built.seq >= 0 && c.seq > built.seq) return;  // shared is ahead
  std::unique_lock lock(c.mu);
  std::swap(c.index, built.index);
  c.loaded = true;
  c.seq = built.seq;
  c.gen = built.gen;
  c.load_seconds = built.load_seconds;
  built.loaded = false;
}

}  // namespace iccache::ext
