// Damaged state and router rows (ex_state, ex_router, ex_decisions): clear errors,
// integrity-check reports, no crash.
#include "corruption_fixture.h"

namespace iccache_test {
namespace {

class CorruptionState : public Corruption {};


TEST_F(CorruptionState, MissingGenerationRow) {
  damage("DELETE FROM ex_state WHERE key = 'generation'");
  expect_fresh_error("SELECT rowid FROM ex WHERE ex MATCH 'question 1' AND k = 3",
                     "ex: the state table has no generation row");
  expect_fresh_error("INSERT INTO ex(request, response) VALUES('q', 'a')",
                     "ex: the state table has no generation row");
  expect_fresh_error(kCheck, "the generation row is missing");
}

TEST_F(CorruptionState, MissingFormatRow) {
  damage("DELETE FROM ex_state WHERE key = 'format'");
  expect_fresh_error(kCheck, "ex_state: format version missing or not 1");
}

TEST_F(CorruptionState, RouterArmTruncated) {
  damage("UPDATE ex_router SET a_inv = x'00'");
  expect_fresh_error("SELECT * FROM iccache_route('ex', 'question 3', '[1]')", "a_inv has 1 bytes");
}

TEST_F(CorruptionState, DecisionFeaturesTruncated) {
  table().writer().exec("SELECT decision FROM iccache_route('ex', 'question 4', '[1]')");  // decision 2
  damage("UPDATE ex_decisions SET features = x'00' WHERE id = 2");
  expect_fresh_error("SELECT iccache_feedback('ex', 2, 0.5)", "has 1 bytes");
}

TEST_F(CorruptionState, DecisionExampleIdsGarbage) {
  table().writer().exec("SELECT decision FROM iccache_route('ex', 'question 4', '[1]')");  // decision 2
  damage("UPDATE ex_decisions SET example_ids = '[99999999999999999999999, x]' WHERE id = 2");
  expect_fresh_error("SELECT iccache_feedback('ex', 2, 0.5)",
                     "iccache_feedback: decision 2 of ex has example_ids '[99999999999999999999999, x]', which is not a JSON array of example ids; ex_decisions is damaged");
}

}  // namespace
}  // namespace iccache_test
