#include "select/attribute_follower.h"

#include <vector>

namespace iccache::select {

void follow_log(AttributeCache& a, ChangeFeed& log, int64_t g, bool committed_only) {
  const AttributeCache::Position p = a.position();
  const CatchUp plan = plan_catch_up(log, p.valid ? std::optional<LogPosition>({p.seq, p.gen}) : std::nullopt, g,
                                     committed_only, kFollowLimit);
  if (plan.kind == CatchUp::kKeep) return;
  if (plan.kind == CatchUp::kApply)
    return a.advance(changed_examples(plan.entries, true), plan.entries.back().seq, g);
  const std::optional<Change> last = log.exists() ? log.last() : std::nullopt;
  const bool at_last = last && last->gen == g;
  a.reset(at_last ? last->seq : -1, g, at_last);
}

void AttributeFollower::prepare(ChangeFeed& log, bool in_write, CandidateCache& scorer, int64_t g) {
  AttributeCache& a = attrs_->cache;
  scorer.validate(g);
  if (!shared_ || !in_write) {
    bypass_valid_ = false;
    AttributeCache::Position p = a.position();
    if (p.gen != g) {
      std::lock_guard update(attrs_->update_mu);
      if (a.position().gen != g) follow_log(a, log, g, shared_);
      p = a.position();
    }
    if (p.gen == g) return scorer.use(&a, p.version);
    return scorer.use(nullptr, std::nullopt);  // the shared cache is ahead of this snapshot: own rows
  }
  // Inside a write transaction nobody else commits, so the shared position is committed
  // history this view extends; the entries after it name every example that may differ.
  const AttributeCache::Position p = a.position();
  if (p.valid) {
    if (bypass_valid_ && bypass_seq_ == p.seq && bypass_pos_gen_ == p.gen && bypass_gen_ == g)
      return scorer.use(&a, p.version, &bypass_);
    std::vector<Change> entries;
    if (log.exists() && log.gen_at(p.seq) == p.gen && log.after(p.seq, kFollowLimit, entries) &&
        (entries.empty() ? g == p.gen : entries.back().gen == g)) {
      const std::vector<int64_t> ids = changed_examples(entries, true);
      bypass_ = std::unordered_set<int64_t>(ids.begin(), ids.end());
      bypass_valid_ = true;
      bypass_seq_ = p.seq;
      bypass_pos_gen_ = p.gen;
      bypass_gen_ = g;
      return scorer.use(&a, p.version, &bypass_);
    }
  }
  bypass_valid_ = false;
  scorer.use(nullptr, std::nullopt);  // no shared position this view extends: own rows only
}

}  // namespace iccache::select
