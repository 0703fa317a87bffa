#include "ext/select/select_attributes.h"

#include "index/shared_registry.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

void AttributeView::prepare(Table& t, select::CandidateCache& scorer, int64_t g) {
  if (!follower_) {
    const std::optional<index::SharedTable>& s = t.shared_state();
    if (s && s->attributes) follower_.emplace(s->attributes, true);
    else follower_.emplace(std::make_shared<SharedAttributes>(), false);
  }
  const bool in_write =
      follower_->shared() && sqlite3_txn_state(t.db, t.storage.schema().c_str()) == SQLITE_TXN_WRITE;
  follower_->prepare(t.log, in_write, scorer, g);
}

}  // namespace iccache::ext
