// Damaged IVF lists and centroids (ex_index, ex_centroids, the SQ8 state): a fresh
// connection gets a clear SQLITE_CORRUPT_VTAB error naming the damage, integrity-check
// reports it, 'optimize' repairs it, and nothing crashes.
#include "corruption_fixture.h"

namespace iccache_test {
namespace {

class CorruptionIndex : public Corruption {};

const std::string kMatch = "SELECT rowid FROM ex WHERE ex MATCH 'question 1' AND k = 5 AND nprobe = 64";

// After 'optimize' the table is whole again and the damaged example is found.
void expect_repaired(Tampered& t, const std::string& match_row) {
  Db& db = t.fresh();
  db.exec("INSERT INTO ex(ex) VALUES('optimize')");
  db.exec(kCheck);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_index"), "40");
  EXPECT_NE(db.query(kMatch).size(), 0u);
  if (!match_row.empty())
    EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'question " + match_row +
                        "' AND k = 1 AND nprobe = 64 AND rowid = " + match_row), match_row);
}

TEST_F(CorruptionIndex, DanglingListEntry) {
  damage("INSERT INTO ex_index(id, list, tenant) VALUES(99, 0, 't1')");
  expect_fresh_error(kCheck, "ex_index lists example 99 which does not exist");
}

TEST_F(CorruptionIndex, DanglingListEntryWithVector) {
  damage("INSERT INTO ex_index(id, list, tenant) SELECT 99, list, tenant FROM ex_index WHERE id = 1");
  damage("INSERT INTO ex_vectors(id, vector) SELECT 99, vector FROM ex_vectors WHERE id = 1");
  expect_fresh_error(kMatch, "example 99 is in the index but not in ex_data");
  expect_fresh_error(kCheck, "ex_vectors holds vector 99 of no example");
}

TEST_F(CorruptionIndex, MissingListEntryRepairedByOptimize) {
  damage("DELETE FROM ex_index WHERE id = 2");
  expect_fresh_error(kCheck, "example 2 is in no IVF list");
  expect_repaired(table(), "");
}

TEST_F(CorruptionIndex, ListOutOfRange) {
  const std::string k = table().writer().scalar("SELECT count(*) FROM ex_centroids");
  damage("UPDATE ex_index SET list = 1000 WHERE id = 2");
  expect_fresh_error(kMatch, "example 2 is in list 1000 but the index has " + k + " lists");
  expect_fresh_error(kCheck, "example 2 is in list 1000");
  expect_repaired(table(), "2");
}

TEST_F(CorruptionIndex, MissingLastCentroid) {
  const std::string k = table().writer().scalar("SELECT count(*) FROM ex_centroids");
  damage("DELETE FROM ex_centroids WHERE list = " + std::to_string(std::stoi(k) - 1));
  expect_fresh_error(kCheck, "ex_centroids holds " + std::to_string(std::stoi(k) - 1) +
                                 " centroids but the training of 40 examples made " + k);
  expect_repaired(table(), "");
}

TEST_F(CorruptionIndex, ExtraCentroid) {
  const std::string k = table().writer().scalar("SELECT count(*) FROM ex_centroids");
  damage("INSERT INTO ex_centroids SELECT max(list) + 1, (SELECT centroid FROM ex_centroids WHERE list = 0) FROM ex_centroids");
  expect_fresh_error(kCheck, "ex_centroids holds " + std::to_string(std::stoi(k) + 1) +
                                 " centroids but the training of 40 examples made " + k);
  expect_repaired(table(), "");
}

TEST_F(CorruptionIndex, CentroidGapAndSize) {
  damage("DELETE FROM ex_centroids WHERE list = 0");
  expect_fresh_error(kMatch, "centroid row 1 is not list 0 of 32 bytes");
  expect_fresh_error(kCheck, "centroid row 1 is not list 0");
  Tampered u(corruption_create(), kCorruptionFill);
  u.writer().exec("UPDATE ex_centroids SET centroid = x'00' WHERE list = 1");
  expect_error(u.error_on_fresh(kMatch), "centroid row 1 is not list 1 of 32 bytes");
  expect_repaired(u, "");
  u.run_everything();
}

TEST_F(CorruptionIndex, Sq8RangesWrongSize) {
  table(", quantizer='sq8'");
  damage("UPDATE ex_state SET value = x'0000' WHERE key = 'sq8_ranges'");
  expect_fresh_error(kMatch, "the stored sq8_ranges hold 2 bytes; expected 64");
  expect_fresh_error(kCheck, "ex_state: the stored sq8_ranges hold 2 bytes; expected 64");
  expect_repaired(table(), "");
}

TEST_F(CorruptionIndex, Sq8CodeWrongSize) {
  table(", quantizer='sq8'");
  damage("UPDATE ex_index SET code = x'01' WHERE id = 2");
  expect_fresh_error(kMatch, "the stored code of example 2 has 1 bytes; expected 8");
  expect_fresh_error(kCheck, "example 2 is in list");
  expect_repaired(table(), "2");
}

TEST_F(CorruptionIndex, TenantMismatch) {
  damage("UPDATE ex_index SET tenant = 'other' WHERE id = 2");
  expect_fresh_error(kCheck, "example 2 has a different tenant in ex_index");
  expect_repaired(table(), "");
}

}  // namespace
}  // namespace iccache_test
