#include "ext/select/select_attributes.h"

#include <vector>

#include "ext/index/index_registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
// Forgetting costs no row read, so even many entries are cheaper to follow than dropping
// every entry (each of which costs a row read when next needed).
constexpr size_t kCatchUpLimit = 20000;

bool names_example(const Change& e) { return e.kind == ChangeKind::kExample || e.kind == ChangeKind::kStats; }

// Brings `a` to generation g of t's view. committed_only: a shared cache, which holds only
// committed states and is left as it is when it is ahead of this view (a long read
// transaction); the caller then reads its own rows.
void catch_up(Table& t, select::AttributeCache& a, int64_t g, bool committed_only) {
  const select::AttributeCache::Position p = a.position();
  if (p.valid && t.log.exists()) {
    const std::optional<int64_t> at = t.log.gen_at(p.seq);
    if (!at && committed_only) {
      const std::optional<Change> newest = t.log.last();
      if (!newest || newest->seq < p.seq) return;
    }
    std::vector<Change> entries;
    if (at && *at == p.gen && t.log.after(p.seq, kCatchUpLimit, entries) && !entries.empty() &&
        entries.back().gen == g) {
      std::vector<int64_t> ids;
      for (const Change& e : entries)
        if (names_example(e)) ids.push_back(e.id);
      a.advance(ids, entries.back().seq, g);
      return;
    }
  }
  // No usable position (first use, log pruned past it, history diverged: a rollback of
  // entries a private cache followed, or a write by an older version): start over.
  const std::optional<Change> last = t.log.exists() ? t.log.last() : std::nullopt;
  const bool at_last = last && last->gen == g;
  a.reset(at_last ? last->seq : -1, g, at_last);
}
}  // namespace

void AttributeView::resolve(Table& t) {
  if (attrs_) return;
  const std::optional<SharedTable>& s = t.shared_state();
  if (s && s->attributes) {
    attrs_ = s->attributes;
    shared_ = true;
  } else {
    attrs_ = std::make_shared<SharedAttributes>();
  }
}

void AttributeView::prepare(Table& t, select::CandidateCache& scorer, int64_t g) {
  resolve(t);
  select::AttributeCache& a = attrs_->cache;
  const bool in_write = shared_ && sqlite3_txn_state(t.db, t.storage.schema().c_str()) == SQLITE_TXN_WRITE;
  scorer.validate(g);
  if (!in_write) {
    bypass_valid_ = false;
    select::AttributeCache::Position p = a.position();
    if (p.gen != g) {
      std::lock_guard update(attrs_->update_mu);
      if (a.position().gen != g) catch_up(t, a, g, shared_);
      p = a.position();
    }
    if (p.gen == g) return scorer.use(&a, p.version);
    return scorer.use(nullptr, std::nullopt);  // the shared cache is ahead of this snapshot: own rows
  }
  // Inside a write transaction nobody else commits, so the shared position is committed
  // history this view extends; the entries after it name every example that may differ.
  const select::AttributeCache::Position p = a.position();
  if (p.valid) {
    if (bypass_valid_ && bypass_seq_ == p.seq && bypass_pos_gen_ == p.gen && bypass_gen_ == g)
      return scorer.use(&a, p.version, &bypass_);
    std::vector<Change> entries;
    if (t.log.exists() && t.log.gen_at(p.seq) == p.gen && t.log.after(p.seq, kCatchUpLimit, entries) &&
        (entries.empty() ? g == p.gen : entries.back().gen == g)) {
      bypass_.clear();
      for (const Change& e : entries)
        if (names_example(e)) bypass_.insert(e.id);
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

}  // namespace iccache::ext
