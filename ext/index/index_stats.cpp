// ex_stats rows of the in-memory indexes (engine/index/index_cache.h cache_stats,
// engine/lexical/lexical_cache.h) and the change log (change_log.h).
#include "ext/stats/stats.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

void index_stats(Table& t, StatRows& out) {
  // Looked up first: a connection finds the process-wide index lazily (at its first
  // search, write or training question), and index_shared_by must not depend on whether
  // this one has asked yet (it read 0 before and 1 after a rollback that had made it ask).
  t.shared_state();
  // Connections of this process that share each index (0: private to this connection).
  index::cache_stats(*t.cache, t.cache_shared ? static_cast<int64_t>(t.cache.use_count()) : 0, out);
  if (t.lexical)
    lexical::cache_stats(*t.lexical, t.lexical_shared ? static_cast<int64_t>(t.lexical.use_count()) : 0, out);
  std::optional<Change> last = t.log.last();
  out.push_back({"change_log_seq", last ? last->seq : int64_t{0}});
  out.push_back({"change_log_entries", t.log.size()});
  training_stats(t, out);
}

}  // namespace iccache::ext
