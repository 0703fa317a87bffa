// Every bad input is an error that names the table, the column and what was expected, and
// leaves every shadow table exactly as it was.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "../common/expect_contains.h"
#include "sql_test_util.h"

using iccache_test::Db;

namespace {

// Every shadow row, as text: equal snapshots mean nothing changed.
std::string snapshot(Db& db) {
  std::string out;
  for (const char* sql : {"SELECT * FROM ex_data ORDER BY id", "SELECT * FROM ex_vectors ORDER BY id",
                          "SELECT * FROM ex_state ORDER BY key"})
    for (auto& row : db.query(sql)) {
      for (auto& c : row) out += c + "|";
      out += "\n";
    }
  return out;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=3, embedder='none')");
    db.exec("INSERT INTO ex(request, response, embedding) VALUES('a','A','[1,0,0]'), ('b','B','[0,1,0]')");
    db.exec("CREATE VIRTUAL TABLE th USING iccache(dim=16)");
    before = snapshot(db);
  }
  // The statement fails with a message containing every fragment, and changes nothing.
  void expect_rejected(const std::string& sql, std::initializer_list<const char*> fragments) {
    std::string err = db.error_of(sql);
    ASSERT_NE(err, "") << "expected an error from: " << sql;
    for (const char* f : fragments) EXPECT_NE(err.find(f), std::string::npos) << "missing '" << f << "' in: " << err;
    EXPECT_EQ(snapshot(db), before) << sql;
  }
  Db db;
  std::string before;
};

TEST_F(BadInput, WrongVectorLength) {
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q','r','[1,2]')",
                  {"ex.embedding", "expected 3 dimensions but received 2"});
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q','r', x'0000803f')",
                  {"ex.embedding", "3"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,2,3,4]') AND k = 1", {"ex MATCH", "expected 3 dimensions but received 4"});
}

TEST_F(BadInput, NonFiniteValues) {
  float nan_vec[3] = {1, std::numeric_limits<float>::quiet_NaN(), 0};
  std::string err = db.exec_with_blob("INSERT INTO ex(request, response, embedding) VALUES('q','r',?1)", nan_vec, 12);
  EXPECT_CONTAINS(err, "ex.embedding");
  EXPECT_CONTAINS(err, "NaN");
  float inf_vec[3] = {1, std::numeric_limits<float>::infinity(), 0};
  err = db.exec_with_blob("INSERT INTO ex(request, response, embedding) VALUES('q','r',?1)", inf_vec, 12);
  EXPECT_CONTAINS(err, "ex.embedding");
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q','r','[1, 1e999, 0]')", {"ex.embedding"});
  EXPECT_EQ(snapshot(db), before);
}

TEST_F(BadInput, ZeroVector) {
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q','r','[0,0,0]')", {"ex.embedding", "zero"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[0,0,0]') AND k = 1", {"ex MATCH", "zero"});
}

TEST_F(BadInput, MalformedJson) {
  for (const char* json : {"[1,2,", "[1,,2,3]", "[1,2,3]x", "[\"a\",2,3]", "{1,2,3}", "[1 2 3]", "[]"})
    expect_rejected(std::string("INSERT INTO ex(request, response, embedding) VALUES('q','r','") + json + "')",
                    {"ex.embedding"});
}

TEST_F(BadInput, TextThatIsNotUtf8) {
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES(CAST(x'61ff62' AS TEXT),'r','[1,1,1]')",
                  {"ex.request", "UTF-8", "offset 1"});
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q', CAST(x'c328' AS TEXT),'[1,1,1]')",
                  {"ex.response", "UTF-8"});
  expect_rejected("INSERT INTO th(request, response) VALUES(CAST(x'e282' AS TEXT),'r')", {"th.request", "UTF-8"});
  expect_rejected("SELECT * FROM th WHERE th MATCH CAST(x'80' AS TEXT) AND k = 1", {"th MATCH", "UTF-8"});
}

TEST_F(BadInput, KOutOfRangeOrMissing) {
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]') AND k = 0", {"ex.k", "from 1 to 4096"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]') AND k = -3", {"ex.k", "from 1 to 4096"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]') AND k = 4097", {"ex.k", "from 1 to 4096"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]') AND k = 'ten'", {"ex.k"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]') AND k = 2.5", {"ex.k"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH iccache_vector('[1,0,0]')", {"ex", "needs a k constraint"});
  expect_rejected("SELECT * FROM ex WHERE k = 3", {"ex.k", "MATCH"});
}

TEST_F(BadInput, QualityAndCounters) {
  expect_rejected("INSERT INTO ex(request, response, embedding, quality) VALUES('q','r','[1,1,1]', -0.1)",
                  {"ex.quality", "from 0 to 1"});
  expect_rejected("INSERT INTO ex(request, response, embedding, quality) VALUES('q','r','[1,1,1]', 1.5)",
                  {"ex.quality", "from 0 to 1"});
  expect_rejected("INSERT INTO ex(request, response, embedding, quality) VALUES('q','r','[1,1,1]', 'good')",
                  {"ex.quality"});
  expect_rejected("INSERT INTO ex(request, response, embedding, uses) VALUES('q','r','[1,1,1]', -1)", {"ex.uses"});
  expect_rejected("INSERT INTO ex(request, response, embedding, gain) VALUES('q','r','[1,1,1]', -1)", {"ex.gain"});
  expect_rejected("UPDATE ex SET quality = -1 WHERE rowid = 1", {"ex.quality"});
}

TEST_F(BadInput, MissingOrMistypedColumns) {
  expect_rejected("INSERT INTO ex(response, embedding) VALUES('r','[1,1,1]')", {"ex.request", "must be TEXT", "NULL"});
  expect_rejected("INSERT INTO ex(request, embedding) VALUES('q','[1,1,1]')", {"ex.response", "must be TEXT"});
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES(42,'r','[1,1,1]')", {"ex.request", "must be TEXT", "received 42"});
  expect_rejected("INSERT INTO ex(request, response) VALUES('q','r')", {"ex.embedding", "embedder='none'", "received NULL"});
  expect_rejected("INSERT INTO ex(request, response, embedding, model) VALUES('q','r','[1,1,1]','gpt')",
                  {"ex.model", "unknown model 'gpt'", "small, large"});
  expect_rejected("INSERT INTO ex(request, response, embedding, bytes) VALUES('q','r','[1,1,1]', 5)", {"ex.bytes"});
  expect_rejected("UPDATE ex SET bytes = 5 WHERE rowid = 1", {"ex.bytes"});
  expect_rejected("INSERT INTO ex(rowid, request, response, embedding) VALUES(1, 'q','r','[1,1,1]')",
                  {"rowid 1 already exists"});
  expect_rejected("INSERT INTO th(request, response) VALUES(' ... ', 'r')", {"th.request"});
  expect_rejected("INSERT INTO ex(ex) VALUES('defragment')", {"unknown command 'defragment'", "integrity-check"});
  expect_rejected("SELECT * FROM ex WHERE ex MATCH NULL AND k = 1", {"ex MATCH", "NULL"});
}

TEST_F(BadInput, BadRowInAMultiRowInsertChangesNothing) {
  expect_rejected("INSERT INTO ex(request, response, embedding) VALUES('q1','r','[1,1,1]'), ('q2','r','[1,1]')",
                  {"ex.embedding"});
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH iccache_vector('[1,1,1]') AND k = 10)"), "1,2");
}

}  // namespace
