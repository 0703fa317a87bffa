#include "privacy/forget.h"

#include "common/error.h"

namespace iccache::privacy {

void check_forget_keys(std::string_view table, const ForgetKeys& keys, bool has_user_column) {
  const std::string t(table);
  if (!keys.tenant && !keys.user)
    throw Error(t + ": command 'forget' needs the tenant or the user whose examples to forget,"
                " as in INSERT INTO " + t + "(" + t + ", tenant) VALUES('forget', 'acme') or"
                " INSERT INTO " + t + "(" + t + ", user) VALUES('forget', 'u42');"
                " received NULL for both");
  if (keys.user && !has_user_column)
    throw Error(t + ": this table was created by an earlier version of iccache, whose " + t +
                "_data has no user column; expected forget by tenant (or a table created by this version)");
}

ForgetCounts forget(ForgetStore& store, const ForgetKeys& keys) {
  ForgetCounts n;
  const std::vector<int64_t> ids = store.examples_of(keys);
  if (ids.empty()) return n;
  const std::vector<int64_t> decisions = store.decisions_showing(ids);
  if (!decisions.empty()) {
    n.rewards_undone = store.undo_rewards(decisions);
    const int64_t labelled = store.labelled_samples(decisions);
    n.samples = store.delete_samples(decisions);
    store.delete_decisions(decisions);
    n.decisions = static_cast<int64_t>(decisions.size());
    // The utility model took online steps from those samples: refit it from what is left.
    if (labelled > 0) store.refit_utility_model();
  }
  for (int64_t id : ids) store.delete_example(id);
  n.examples = static_cast<int64_t>(ids.size());
  store.rebuild_after_delete();
  return n;
}

}  // namespace iccache::privacy
