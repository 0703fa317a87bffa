// CREATE VIRTUAL TABLE options: valid forms work, every bad form is an error naming the
// option and the expectation, and a failed CREATE leaves no table behind.
#include <gtest/gtest.h>

#include "sql_test_util.h"

using iccache_test::Db;

namespace {

void expect_create_error(const std::string& args, const std::string& fragment) {
  Db db;
  std::string err = db.error_of("CREATE VIRTUAL TABLE ex USING iccache(" + args + ")");
  EXPECT_NE(err.find(fragment), std::string::npos) << "args: " << args << "\nerror: " << err;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM sqlite_schema"), "0") << args;
}

TEST(Create, DefaultsAndOptions) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE a USING iccache");
  db.exec("CREATE VIRTUAL TABLE b USING iccache(dim=384, embedder='hash', models='small:0.1,large:1.0', budget='1GB')");
  db.exec("CREATE VIRTUAL TABLE c USING iccache(DIM = 8, Embedder = \"none\")");
  EXPECT_EQ(db.scalar("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                      "WHERE name LIKE 'a%' ORDER BY name)"),
            "a,a_centroids,a_changes,a_data,a_decisions,a_idf,a_index,a_index_alt,a_replay,"
            "a_router,a_samples,a_state,a_stats,a_vectors");
  db.exec("INSERT INTO a(request, response) VALUES('hi there', 'hello')");
  EXPECT_EQ(db.scalar("SELECT length(embedding) FROM a"), "1024");  // default dim 256
}

TEST(Create, BadOptionsAreErrors) {
  expect_create_error("dimm=3", "unknown option");
  expect_create_error("dim=0", "dim");
  expect_create_error("dim=4097", "dim");
  expect_create_error("dim=abc", "dim");
  expect_create_error("embedder='bert'", "embedder");
  expect_create_error("models='small'", "models");
  expect_create_error("models='small:-1'", "models");
  expect_create_error("budget='-5MB'", "budget");
  expect_create_error("budget='lots'", "budget");
  expect_create_error("dim=3, dim=4", "dim");
  expect_create_error("dim", "dim");
}

TEST(Create, ConnectRereadsOptions) {
  iccache_test::TempFile f;
  {
    Db db(f.path());
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=5, embedder='none', models='s:1,l:3')");
  }
  Db db(f.path());
  std::string err = db.error_of("INSERT INTO ex(request, response, embedding, model) VALUES('q','a','[1,2,3,4,5]','x')");
  EXPECT_NE(err.find("unknown model 'x'; expected one of s, l"), std::string::npos) << err;
  db.exec("INSERT INTO ex(request, response, embedding) VALUES('q','a','[1,2,3,4,5]')");
  EXPECT_EQ(db.scalar("SELECT model FROM ex"), "l");  // default: the most expensive model
}

}  // namespace
