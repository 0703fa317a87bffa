// ex_stats rows of the in-memory index and the change log (engine/index/index_cache.h, change_log.h):
// what this connection's index holds and how it has followed the tables.
#include "ext/stats/stats.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

void index_stats(Table& t, StatRows& out) {
  // Looked up first: a connection finds the process-wide index lazily (at its first
  // search, write or training question), and index_shared_by must not depend on whether
  // this one has asked yet (it read 0 before and 1 after a rollback that had made it ask).
  t.shared_state();
  const index::IndexCache& c = *t.cache;
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
  // Connections of this process that share this index (0: private to this connection).
  out.push_back({"index_shared_by", t.cache_shared ? static_cast<int64_t>(t.cache.use_count()) : int64_t{0}});
  if (t.lexical) {
    const lexical::LexicalCache& l = *t.lexical;
    std::shared_lock lock(l.mu);
    out.push_back({"lexical_loaded", int64_t{l.loaded ? 1 : 0}});
    out.push_back({"lexical_documents", static_cast<int64_t>(l.index.size())});
    out.push_back({"lexical_lists", static_cast<int64_t>(l.index.lists())});
    out.push_back({"lexical_postings", static_cast<int64_t>(l.index.postings())});
    out.push_back({"lexical_memory_bytes", static_cast<int64_t>(l.index.memory_bytes())});
    out.push_back({"lexical_idf_texts", static_cast<int64_t>(l.index.idf().sample_n())});
    out.push_back({"lexical_idf_n", static_cast<int64_t>(l.index.idf().table_n())});
    out.push_back({"lexical_change_seq", l.seq});
    out.push_back({"lexical_reloads", l.reloads});
    out.push_back({"lexical_changes_applied", l.applied_changes});
    out.push_back({"lexical_load_s", l.load_seconds});
  }
  if (t.lexical)  // connections of this process sharing the lexical index (0: private)
    out.push_back({"lexical_shared_by", t.lexical_shared ? static_cast<int64_t>(t.lexical.use_count()) : int64_t{0}});
  std::optional<Change> last = t.log.last();
  out.push_back({"change_log_seq", last ? last->seq : int64_t{0}});
  out.push_back({"change_log_entries", t.log.size()});
  training_stats(t, out);
}

}  // namespace iccache::ext
