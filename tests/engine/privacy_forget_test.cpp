// Forget's orchestration (engine/privacy/forget.h) over a recording store: what is asked in
// which order, what is skipped, the counts, and the refusals of the keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "error_test_util.h"
#include "privacy/forget.h"

namespace iccache::privacy {
namespace {

struct RecordingStore : ForgetStore {
  std::vector<int64_t> examples, decisions;
  int64_t labelled = 0;
  std::vector<std::string> calls;

  std::vector<int64_t> examples_of(const ForgetKeys& k) override {
    calls.push_back("examples_of " + k.tenant.value_or("-") + " " + k.user.value_or("-"));
    return examples;
  }
  std::vector<int64_t> decisions_showing(const std::vector<int64_t>& ids) override {
    calls.push_back("decisions_showing " + std::to_string(ids.size()));
    return decisions;
  }
  int64_t undo_rewards(const std::vector<int64_t>& d) override {
    calls.push_back("undo_rewards " + std::to_string(d.size()));
    return 1;
  }
  int64_t labelled_samples(const std::vector<int64_t>&) override {
    calls.push_back("labelled_samples");
    return labelled;
  }
  int64_t delete_samples(const std::vector<int64_t>& d) override {
    calls.push_back("delete_samples");
    return static_cast<int64_t>(d.size()) - 1;
  }
  void delete_decisions(const std::vector<int64_t>&) override { calls.push_back("delete_decisions"); }
  void refit_utility_model() override { calls.push_back("refit"); }
  void delete_example(int64_t id) override { calls.push_back("delete_example " + std::to_string(id)); }
  void rebuild_after_delete() override { calls.push_back("rebuild"); }
};

TEST(PrivacyForget, RemovesDecisionsAndSamplesThenExamplesThenRebuilds) {
  RecordingStore s;
  s.examples = {4, 7};
  s.decisions = {1, 2, 3};
  s.labelled = 2;
  const ForgetCounts n = forget(s, {"acme", std::nullopt});
  EXPECT_EQ(s.calls, (std::vector<std::string>{"examples_of acme -", "decisions_showing 2", "undo_rewards 3",
                                               "labelled_samples", "delete_samples", "delete_decisions", "refit",
                                               "delete_example 4", "delete_example 7", "rebuild"}));
  EXPECT_EQ(n.examples, 2);
  EXPECT_EQ(n.decisions, 3);
  EXPECT_EQ(n.samples, 2);
  EXPECT_EQ(n.rewards_undone, 1);
}

TEST(PrivacyForget, NoLabelledSampleNoRefitNoDecisionNoLogWork) {
  RecordingStore s;
  s.examples = {4};
  s.decisions = {9};
  forget(s, {std::nullopt, "u42"});
  EXPECT_EQ(std::count(s.calls.begin(), s.calls.end(), "refit"), 0);
  s.calls.clear();
  s.decisions.clear();
  const ForgetCounts n = forget(s, {"a", "u"});
  EXPECT_EQ(s.calls, (std::vector<std::string>{"examples_of a u", "decisions_showing 1", "delete_example 4", "rebuild"}));
  EXPECT_EQ(n.decisions, 0);
}

TEST(PrivacyForget, NothingMatchesNothingChanges) {
  RecordingStore s;
  const ForgetCounts n = forget(s, {"nobody", std::nullopt});
  EXPECT_EQ(s.calls, (std::vector<std::string>{"examples_of nobody -"}));
  EXPECT_EQ(n.examples, 0);
}

std::string refusal(const ForgetKeys& k, bool has_user) {
  return error_of([&] { check_forget_keys("ex", k, has_user); });
}

TEST(PrivacyForget, KeyRefusals) {
  EXPECT_EQ(refusal({}, true),
            "ex: command 'forget' needs the tenant or the user whose examples to forget, as in INSERT INTO ex(ex,"
            " tenant) VALUES('forget', 'acme') or INSERT INTO ex(ex, user) VALUES('forget', 'u42'); received NULL"
            " for both");
  EXPECT_EQ(refusal({std::nullopt, "u"}, false),
            "ex: this table was created by an earlier version of iccache, whose ex_data has no user column;"
            " expected forget by tenant (or a table created by this version)");
  EXPECT_EQ(refusal({"acme", std::nullopt}, false), "");
  EXPECT_EQ(refusal({"acme", "u"}, true), "");
}

}  // namespace
}  // namespace iccache::privacy
