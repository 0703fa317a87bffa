#include "common/change_feed.h"

#include <unordered_set>

namespace iccache {

CatchUp plan_catch_up(ChangeFeed& log, std::optional<LogPosition> at, int64_t g, bool committed_only, size_t limit,
                      std::optional<ChangeKind> reload_on) {
  CatchUp out;
  if (!at || !log.exists()) return out;
  const std::optional<int64_t> gen = log.gen_at(at->seq);
  if (!gen && committed_only) {
    // Committed history only grows: when this view's newest entry is older than the
    // cache's, the cache is ahead of this snapshot.
    const std::optional<Change> newest = log.last();
    if (!newest || newest->seq < at->seq) {
      out.kind = CatchUp::kKeep;
      return out;
    }
  }
  if (!gen || *gen != at->gen) return out;
  if (!log.after(at->seq, limit, out.entries) || out.entries.empty() || out.entries.back().gen != g) {
    out.entries.clear();
    return out;
  }
  for (const Change& e : out.entries)
    if (e.kind == reload_on) {
      out.entries.clear();
      return out;
    }
  out.kind = CatchUp::kApply;
  return out;
}

std::vector<int64_t> changed_examples(const std::vector<Change>& entries, bool with_stats) {
  std::vector<int64_t> ids;
  std::unordered_set<int64_t> seen;
  for (const Change& e : entries)
    if ((e.kind == ChangeKind::kExample || (with_stats && e.kind == ChangeKind::kStats)) && seen.insert(e.id).second)
      ids.push_back(e.id);
  return ids;
}

}  // namespace iccache
