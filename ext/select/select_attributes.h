// Selection's per-example scoring attributes (engine/select/candidate_cache.h), shared by
// the connections of a process like the index (index_registry.h), with the index's
// visibility rules (docs/architecture.md, "Many connections, one index"):
//   - the shared AttributeCache holds committed states only. A connection outside a write
//     transaction brings it up to its view from the change log, forgetting just the
//     examples the entries since its position name (kExample: a row written; kStats: its
//     statistics changed by feedback), and fills it with the rows it reads;
//   - inside a write transaction, the examples changed since the shared position (this
//     transaction's own writes among them) are read from this connection's view and kept
//     in its own entries; every other example is taken from (and may fill) the shared
//     cache, whose entries equal the committed rows. A rollback therefore leaves the
//     shared cache untouched;
//   - a long read transaction whose snapshot is older than the shared position reads its
//     own rows into its own entries;
//   - in-memory and temp databases have one private AttributeCache per connection, which
//     follows everything the connection sees (its uncommitted writes too) the same way.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "select/candidate_cache.h"

namespace iccache::ext {

struct Table;

struct SharedAttributes {
  std::mutex update_mu;  // serialises catch-ups (checks and forgets are cheap: no row reads)
  select::AttributeCache cache;
};

// One connection's access to its table's attribute cache.
class AttributeView {
 public:
  // Points `scorer` at the caches that serve a statement which sees index generation g.
  void prepare(Table& t, select::CandidateCache& scorer, int64_t g);

 private:
  void resolve(Table& t);

  std::shared_ptr<SharedAttributes> attrs_;
  bool shared_ = false;
  // Inside a write transaction: the ids changed since the shared position (seq, gen), as
  // of this view's generation.
  std::unordered_set<int64_t> bypass_;
  bool bypass_valid_ = false;
  int64_t bypass_seq_ = 0, bypass_pos_gen_ = 0, bypass_gen_ = 0;
};

}  // namespace iccache::ext
