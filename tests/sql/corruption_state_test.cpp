// Damaged state and router rows (ex_state, ex_router, ex_decisions): clear errors,
// integrity-check reports, no crash.
#include "corruption_fixture.h"

namespace iccache_test {
namespace {

const std::string kCheck = "INSERT INTO ex(ex) VALUES('integrity-check')";

TEST(CorruptionState, MissingGenerationRow) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("DELETE FROM ex_state WHERE key = 'generation'");
  expect_error(t.error_on_fresh("SELECT rowid FROM ex WHERE ex MATCH 'question 1' AND k = 3"),
               "ex: the state table has no generation row");
  expect_error(t.error_on_fresh("INSERT INTO ex(request, response) VALUES('q', 'a')"),
               "ex: the state table has no generation row");
  expect_error(t.error_on_fresh(kCheck), "the generation row is missing");
  t.run_everything();
}

TEST(CorruptionState, MissingFormatRow) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("DELETE FROM ex_state WHERE key = 'format'");
  expect_error(t.error_on_fresh(kCheck), "ex_state: format version missing or not 1");
  t.run_everything();
}

TEST(CorruptionState, RouterArmTruncated) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("UPDATE ex_router SET a_inv = x'00'");
  expect_error(t.error_on_fresh("SELECT * FROM iccache_route('ex', 'question 3', '[1]')"), "a_inv has 1 bytes");
  t.run_everything();
}

TEST(CorruptionState, DecisionFeaturesTruncated) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("SELECT decision FROM iccache_route('ex', 'question 4', '[1]')");
  t.writer().exec("UPDATE ex_decisions SET features = x'00' WHERE id = 2");
  expect_error(t.error_on_fresh("SELECT iccache_feedback('ex', 2, 0.5)"), "has 1 bytes");
  t.run_everything();
}

TEST(CorruptionState, DecisionExampleIdsGarbage) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("SELECT decision FROM iccache_route('ex', 'question 4', '[1]')");
  t.writer().exec("UPDATE ex_decisions SET example_ids = '[99999999999999999999999, x]' WHERE id = 2");
  expect_error(t.error_on_fresh("SELECT iccache_feedback('ex', 2, 0.5)"),
               "iccache_feedback: decision 2 of ex has example_ids '[99999999999999999999999, x]', which is not a JSON array of example ids; ex_decisions is damaged");
  t.run_everything();
}

}  // namespace
}  // namespace iccache_test
