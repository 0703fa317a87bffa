// Damaged vectors and texts in ex_vectors / ex_data: every statement gets an answer (a
// clear error or a result), integrity-check names the damage, and nothing crashes.
#include "corruption_fixture.h"

namespace iccache_test {
namespace {

class CorruptionVectors : public Corruption {};


TEST_F(CorruptionVectors, TruncatedVectorBlob) {
  damage("UPDATE ex_vectors SET vector = substr(vector, 1, 10) WHERE id = 2");
  expect_fresh_error(kCheck, "example 2 vector has 10 bytes; expected 32");
  expect_fresh_error("SELECT rowid FROM ex WHERE ex MATCH 'question 2' AND k = 3",
                     "the stored vector of example 2 has 10 bytes; expected 32");
  expect_fresh_error("SELECT embedding FROM ex WHERE rowid = 2",
                     "the stored vector of example 2 has 10 bytes; expected 32");
}

TEST_F(CorruptionVectors, NanVector) {
  // Eight float32 NaNs (0x7fc00000, little-endian).
  damage("UPDATE ex_vectors SET vector = x'0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f' WHERE id = 2");
  expect_fresh_error(kCheck, "example 2 vector holds a NaN or infinite value");
}

TEST_F(CorruptionVectors, MissingVectorRow) {
  damage("DELETE FROM ex_vectors WHERE id = 2");
  expect_fresh_error(kCheck, "example 2 has no vector in ex_vectors");
  expect_fresh_error("SELECT embedding FROM ex WHERE rowid = 2", "example 2 has no row in ex_vectors");
}

TEST_F(CorruptionVectors, CorruptLz4Text) {
  EXPECT_EQ(table().writer().scalar("SELECT response_enc FROM ex_data WHERE id = 7"), "1");
  damage("UPDATE ex_data SET response = substr(response, 1, 9) WHERE id = 7");
  expect_fresh_error(kCheck, "example 7 response");
  EXPECT_NE(table().error_on_fresh("SELECT response FROM ex WHERE rowid = 7"), "");
}

TEST_F(CorruptionVectors, UnknownTextEncoding) {
  damage("UPDATE ex_data SET request_enc = 7 WHERE id = 3");
  expect_fresh_error(kCheck, "example 3 request");
  EXPECT_NE(table().error_on_fresh("SELECT request FROM ex WHERE rowid = 3"), "");
  // A failed MATCH must not leave its connection reading: before the fix, the utility
  // stage's statement stayed stepped and held a lock that blocked every other writer.
  expect_fresh_error("SELECT rowid, request FROM ex WHERE ex MATCH 'question 3' AND k = 5", "stored text has unknown encoding 7");
  sqlite3_busy_timeout(table().writer().get(), 0);
  EXPECT_EQ(table().writer().error_of("INSERT INTO ex(request, response) VALUES('question 41', 'a')"), "");
  sqlite3_busy_timeout(table().writer().get(), 5000);
}

TEST_F(CorruptionVectors, TextNotUtf8) {
  damage("UPDATE ex_data SET request = x'71c328' WHERE id = 3");
  expect_fresh_error(kCheck, "example 3 request is not valid UTF-8");
}

TEST_F(CorruptionVectors, QualityBytesAndModel) {
  damage("UPDATE ex_data SET quality = 5, bytes = 1, model = 'gone' WHERE id = 4");
  const std::string err = table().error_on_fresh(kCheck);
  expect_error(err, "example 4 has unknown model 'gone'");
  expect_error(err, "example 4 has quality 5.000000 outside [0, 1]");
  expect_error(err, "example 4 records 1 bytes");
}

}  // namespace
}  // namespace iccache_test
