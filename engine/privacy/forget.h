// Forget (docs/privacy.md): INSERT INTO ex(ex, tenant) VALUES('forget', 'acme') and
// INSERT INTO ex(ex, user) VALUES('forget', 'u42') (both: that user within that tenant).
// Removes the matching examples, the decisions that showed any of them with their request
// vectors and their selection samples, takes their rewards back out of the router's arm
// posteriors, refits the utility model when labelled samples went, and lets the table
// rebuild what was computed from the examples (a trained IVF index: its centroids averaged
// the vectors; the lexical index's IDF counts). ext/privacy/privacy_forget.cpp implements
// the store with SQL (under PRAGMA secure_delete, so the freed bytes are zeroed) and the
// table's own writes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iccache::privacy {

struct ForgetCounts {
  int64_t examples = 0, decisions = 0, samples = 0, rewards_undone = 0;
};

// Whose examples to forget: a tenant, a user, or both.
struct ForgetKeys {
  std::optional<std::string> tenant, user;
};

class ForgetStore {
 public:
  virtual ~ForgetStore() = default;
  // The ids of the examples matching `keys`, ascending.
  virtual std::vector<int64_t> examples_of(const ForgetKeys& keys) = 0;
  // The decisions that showed any of `examples`, ascending (their request vectors are the
  // requests of the same tenant: MATCH with tenant = ... only shows that tenant's examples).
  virtual std::vector<int64_t> decisions_showing(const std::vector<int64_t>& examples) = 0;
  // Takes the rewards of `decisions` back out of the router (route/route_ops.h undo_rewards).
  virtual int64_t undo_rewards(const std::vector<int64_t>& decisions) = 0;
  // How many of the decisions' selection samples are labelled.
  virtual int64_t labelled_samples(const std::vector<int64_t>& decisions) = 0;
  // Deletes the decisions' samples (returns how many went), then the decisions.
  virtual int64_t delete_samples(const std::vector<int64_t>& decisions) = 0;
  virtual void delete_decisions(const std::vector<int64_t>& decisions) = 0;
  // Refits the utility model from the labelled samples that are left.
  virtual void refit_utility_model() = 0;
  // Deletes one example from every shadow table and index.
  virtual void delete_example(int64_t id) = 0;
  // After examples went: retrains a trained index and counts the IDF again.
  virtual void rebuild_after_delete() = 0;
};

// Refuses, naming `table`, a command with neither key, or with a user on a table whose data
// has no user column (created by an earlier version; has_user_column false).
void check_forget_keys(std::string_view table, const ForgetKeys& keys, bool has_user_column);

// Forgets everything of `keys` through `store`; counts what went. Does nothing when no
// example matches.
ForgetCounts forget(ForgetStore& store, const ForgetKeys& keys);

}  // namespace iccache::privacy
