#include "lexical/lexical_cache.h"

#include "common/cache_choice.h"

namespace iccache::lexical {

void offer_lexical(LexicalCache& c, LexicalCache& built) {
  offer_built(c, built, [](LexicalCache& to, const LexicalCache& from) { to.load_seconds = from.load_seconds; });
}

void cache_stats(const LexicalCache& l, int64_t shared_by, StatRows& out) {
  {
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
  out.push_back({"lexical_shared_by", shared_by});
}

}  // namespace iccache::lexical
