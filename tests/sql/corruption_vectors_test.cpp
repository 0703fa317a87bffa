// Damaged vectors and texts in ex_vectors / ex_data: every statement gets an answer (a
// clear error or a result), integrity-check names the damage, and nothing crashes.
#include "corruption_fixture.h"

namespace iccache_test {
namespace {

const std::string kCheck = "INSERT INTO ex(ex) VALUES('integrity-check')";

TEST(CorruptionVectors, TruncatedVectorBlob) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("UPDATE ex_vectors SET vector = substr(vector, 1, 10) WHERE id = 2");
  expect_error(t.error_on_fresh(kCheck), "example 2 vector has 10 bytes; expected 32");
  expect_error(t.error_on_fresh("SELECT rowid FROM ex WHERE ex MATCH 'question 2' AND k = 3"),
               "the stored vector of example 2 has 10 bytes; expected 32");
  expect_error(t.error_on_fresh("SELECT embedding FROM ex WHERE rowid = 2"),
               "the stored vector of example 2 has 10 bytes; expected 32");
  t.run_everything();
}

TEST(CorruptionVectors, NanVector) {
  Tampered t(corruption_create(), kCorruptionFill);
  // Eight float32 NaNs (0x7fc00000, little-endian).
  t.writer().exec("UPDATE ex_vectors SET vector = x'0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f0000c07f' WHERE id = 2");
  expect_error(t.error_on_fresh(kCheck), "example 2 vector holds a NaN or infinite value");
  t.run_everything();
}

TEST(CorruptionVectors, MissingVectorRow) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("DELETE FROM ex_vectors WHERE id = 2");
  expect_error(t.error_on_fresh(kCheck), "example 2 has no vector in ex_vectors");
  expect_error(t.error_on_fresh("SELECT embedding FROM ex WHERE rowid = 2"), "example 2 has no row in ex_vectors");
  t.run_everything();
}

TEST(CorruptionVectors, CorruptLz4Text) {
  Tampered t(corruption_create(), kCorruptionFill);
  EXPECT_EQ(t.writer().scalar("SELECT response_enc FROM ex_data WHERE id = 7"), "1");
  t.writer().exec("UPDATE ex_data SET response = substr(response, 1, 9) WHERE id = 7");
  expect_error(t.error_on_fresh(kCheck), "example 7 response");
  EXPECT_NE(t.error_on_fresh("SELECT response FROM ex WHERE rowid = 7"), "");
  t.run_everything();
}

TEST(CorruptionVectors, UnknownTextEncoding) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("UPDATE ex_data SET request_enc = 7 WHERE id = 3");
  expect_error(t.error_on_fresh(kCheck), "example 3 request");
  EXPECT_NE(t.error_on_fresh("SELECT request FROM ex WHERE rowid = 3"), "");
  // A failed MATCH must not leave its connection reading: before the fix, the utility
  // stage's statement stayed stepped and held a lock that blocked every other writer.
  expect_error(t.error_on_fresh("SELECT rowid, request FROM ex WHERE ex MATCH 'question 3' AND k = 5"),
               "stored text has unknown encoding 7");
  sqlite3_busy_timeout(t.writer().get(), 0);
  EXPECT_EQ(t.writer().error_of("INSERT INTO ex(request, response) VALUES('question 41', 'a')"), "");
  sqlite3_busy_timeout(t.writer().get(), 5000);
  t.run_everything();
}

TEST(CorruptionVectors, TextNotUtf8) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("UPDATE ex_data SET request = x'71c328' WHERE id = 3");
  expect_error(t.error_on_fresh(kCheck), "example 3 request is not valid UTF-8");
  t.run_everything();
}

TEST(CorruptionVectors, QualityBytesAndModel) {
  Tampered t(corruption_create(), kCorruptionFill);
  t.writer().exec("UPDATE ex_data SET quality = 5, bytes = 1, model = 'gone' WHERE id = 4");
  const std::string err = t.error_on_fresh(kCheck);
  expect_error(err, "example 4 has unknown model 'gone'");
  expect_error(err, "example 4 has quality 5.000000 outside [0, 1]");
  expect_error(err, "example 4 records 1 bytes");
  t.run_everything();
}

}  // namespace
}  // namespace iccache_test
