// Selection's per-example scoring attributes, shared by the connections of a process like
// the index (engine/index/shared_registry.h) and followed from the change log by the
// engine's rules (engine/select/attribute_follower.h). This is the glue: which cache a connection follows
// (the registry's shared one, or its own for in-memory and temp databases) and whether it
// is inside a write transaction.
#pragma once
#include <cstdint>
#include <optional>

#include "select/attribute_follower.h"

namespace iccache::ext {

struct Table;

// The registry's handle on a table's shared attribute cache.
struct SharedAttributes : select::FollowedAttributes {};

// One connection's access to its table's attribute cache.
class AttributeView {
 public:
  // Points `scorer` at the caches that serve a statement which sees index generation g.
  void prepare(Table& t, select::CandidateCache& scorer, int64_t g);

 private:
  std::optional<select::AttributeFollower> follower_;  // resolved at first use
};

}  // namespace iccache::ext
