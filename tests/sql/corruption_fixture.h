// The table every corruption test damages: 40 examples over two tenants, one long
// (lz4-compressed) response, trained IVF lists (ivf_min=16), and one routed decision with
// feedback, so that every shadow table has rows to damage. The fill waits for the
// background training its 16th row started (ext/index/index_trainer.h).
#pragma once
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "corruption_util.h"

namespace iccache_test {

inline std::string corruption_create(const std::string& extra = "") {
  // text_index='vector': these tests damage the vector index, which a MATCH with text
  // searches only then (lexical_corruption_test.cpp damages the lexical index).
  return "CREATE VIRTUAL TABLE ex USING iccache(dim=8, ivf_min=16, seed=5, text_index='vector'" + extra + ")";
}

constexpr const char* kCorruptionFill =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
    " INSERT INTO ex(rowid, request, response, tenant)"
    " SELECT i, 'question ' || i, CASE i WHEN 7 THEN printf('%.*c', 500, 'x') ELSE 'answer ' || i END,"
    " 't' || (i % 2) FROM n;"
    "SELECT iccache_training_wait('ex');"  // the 16th row queued a background training
    // which left the rows in ex_index_alt (index_store.h); 'optimize' puts them back in
    // ex_index, the table these tests damage.
    "INSERT INTO ex(ex) VALUES('optimize');"
    "SELECT decision FROM iccache_route('ex', 'question 3', '[1, 2]');"
    "SELECT iccache_feedback('ex', 1, 0.9);";

// The command every corruption test expects to name the damage.
inline const std::string kCheck = "INSERT INTO ex(ex) VALUES('integrity-check')";

// Expects `err` to be an error message that contains `fragment`.
inline void expect_error(const std::string& err, const std::string& fragment) {
  EXPECT_NE(err, "") << "expected an error containing: " << fragment;
  EXPECT_NE(err.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << err;
}

// The fixture of the corruption tests (suites CorruptionIndex, CorruptionState,
// CorruptionVectors derive from it): the table above, made on first use (table(extra) first
// for other options), damage() through its writer, the errors a fresh connection gets, and,
// after every test, run_everything(): every statement gets an answer and none crashes.
class Corruption : public ::testing::Test {
 protected:
  Tampered& table(const std::string& extra = "") {
    if (!t_) t_.emplace(corruption_create(extra), kCorruptionFill);
    return *t_;
  }
  // Tampers with the shadow tables through the writer, as a bad tool or a damaged disk might.
  void damage(const std::string& sql) { table().writer().exec(sql); }
  // The error of `sql` on a fresh connection contains `fragment`.
  void expect_fresh_error(const std::string& sql, const std::string& fragment) {
    SCOPED_TRACE(sql);
    expect_error(table().error_on_fresh(sql), fragment);
  }
  void TearDown() override {
    if (t_) t_->run_everything();
  }

 private:
  std::optional<Tampered> t_;
};

}  // namespace iccache_test
