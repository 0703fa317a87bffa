#include "index/index_cache.h"

#include "common/cache_choice.h"

namespace iccache::index {

void offer_index(IndexCache& c, IndexCache& built) {
  offer_built(c, built, [](IndexCache& to, const IndexCache& from) {
    to.epoch = from.epoch;
    to.nprobe = from.nprobe;
  });
}

void cache_stats(const IndexCache& c, int64_t shared_by, StatRows& out) {
  {
    std::shared_lock lock(c.mu);
    out.push_back({"index_loaded", int64_t{c.loaded ? 1 : 0}});
    out.push_back({"index_vectors", static_cast<int64_t>(c.index.size())});
    out.push_back({"index_lists", int64_t{c.index.nlist()}});
    out.push_back({"index_memory_bytes", static_cast<int64_t>(c.index.memory_bytes())});
    out.push_back({"index_change_seq", c.seq});
    out.push_back({"index_reloads", c.reloads});
    out.push_back({"index_changes_applied", c.applied_changes});
  }
  out.push_back({"index_shared_by", shared_by});
}

}  // namespace iccache::index
