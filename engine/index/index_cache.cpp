#include "index/index_cache.h"

#include "common/cache_choice.h"

namespace iccache::index {

void offer_index(IndexCache& c, IndexCache& built) {
  offer_built(c, built, [](IndexCache& to, const IndexCache& from) {
    to.epoch = from.epoch;
    to.nprobe = from.nprobe;
  });
}

}  // namespace iccache::index
