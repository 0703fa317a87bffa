// Which attribute caches score a statement, and how a cache follows the change log
// (docs/architecture.md, "Selection's attributes"; the index's visibility rules):
//   - a shared AttributeCache (one per process and table, index/shared_registry.h) holds
//     committed states only. A view outside a write transaction brings it up to its
//     generation from the log, forgetting just the examples the entries since its position
//     name (kExample: a row written; kStats: its statistics changed by feedback), and fills
//     it with the rows it reads;
//   - inside a write transaction, the examples changed since the shared position (this
//     transaction's own writes among them) are read from the connection's view and kept in
//     its own entries; every other example is taken from (and may fill) the shared cache,
//     whose entries equal the committed rows. A rollback therefore leaves it untouched;
//   - a long read transaction whose snapshot is older than the shared position reads its
//     own rows into its own entries;
//   - a private cache (in-memory and temp databases: one per connection) follows everything
//     the connection sees (its uncommitted writes too) the same way.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "common/change_feed.h"
#include "select/candidate_cache.h"

namespace iccache::select {

// An attribute cache and the lock that serialises bringing it up to date (checks and
// forgets are cheap: no row reads).
struct FollowedAttributes {
  std::mutex update_mu;
  AttributeCache cache;
};

// Brings `a` to generation g of a view whose log is `log`, forgetting the examples the
// entries since a's position name; starts over (forgets everything) when its position is
// no longer in the log (first use, pruned, history diverged by a rollback, a write by a
// version without the log) or more than kFollowLimit entries follow it. committed_only: a
// shared cache, left as it is when it is ahead of this view (the caller then reads its own
// rows).
void follow_log(AttributeCache& a, ChangeFeed& log, int64_t g, bool committed_only);

// Forgetting costs no row read, so even many entries are cheaper to follow than dropping
// every entry (each of which costs a row read when next needed).
constexpr size_t kFollowLimit = 20000;

// One connection's access to its table's attribute cache.
class AttributeFollower {
 public:
  // attrs: the cache this connection follows; shared: the process's (committed states only)
  // rather than the connection's own.
  AttributeFollower(std::shared_ptr<FollowedAttributes> attrs, bool shared)
      : attrs_(std::move(attrs)), shared_(shared) {}

  bool shared() const { return shared_; }
  // Points `scorer` at the caches that serve a statement which sees generation g.
  // in_write: the connection is inside a write transaction (matters for a shared cache).
  void prepare(ChangeFeed& log, bool in_write, CandidateCache& scorer, int64_t g);

 private:
  std::shared_ptr<FollowedAttributes> attrs_;
  bool shared_ = false;
  // Inside a write transaction: the ids changed since the shared position (seq, gen), as
  // of this follower's generation.
  std::unordered_set<int64_t> bypass_;
  bool bypass_valid_ = false;
  int64_t bypass_seq_ = 0, bypass_pos_gen_ = 0, bypass_gen_ = 0;
};

}  // namespace iccache::select
