// Forget a tenant or a user: every trace gone from the tables and from the bytes of the
// database file and its WAL; other tenants intact. The command's error paths, the user and
// synthetic columns and the pii option are in slt/privacy.test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;
using iccache_test::TempFile;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The marker's bytes anywhere in the database file or its WAL.
bool on_disk(const std::string& path, const std::string& needle) {
  return file_bytes(path).find(needle) != std::string::npos ||
         file_bytes(path + "-wal").find(needle) != std::string::npos;
}

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// Shared setup: tenant 'acme' holds the marker text and vector (two examples, users u1 and
// u2), tenant 'beta' three ordinary examples; each tenant has a rewarded decision.
struct ForgetFixture {
  TempFile file;
  Db db{file.path()};
  const std::string marker = "MRK-q7v-unique-acme-marker";
  std::string marker_vec;  // the stored float32 bytes

  ForgetFixture() {
    db.exec("PRAGMA journal_mode = WAL");
    // Debian builds SQLite with secure_delete on by default; most others (Python wheels,
    // macOS, Android) leave it off. Off here, so the test shows what forget itself does.
    db.exec("PRAGMA secure_delete = 0");
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    db.exec("INSERT INTO ex(rowid, request, response, tenant, user, embedding) VALUES(1, '" + marker +
            "', 'answer " + marker + "', 'acme', 'u1',"
            " '[0.61,-0.13,0.27,0.05,-0.41,0.33,0.09,-0.22,0.17,0.02,-0.08,0.29,-0.19,0.11,0.07,-0.25]')");
    db.exec("INSERT INTO ex(rowid, request, response, tenant, user) VALUES(2, 'acme second', 'r2', 'acme', 'u2')");
    db.exec("INSERT INTO ex(rowid, request, response, tenant) VALUES"
            "(3, 'beta one', 'b1', 'beta'), (4, 'beta two', 'b2', 'beta'), (5, 'beta three', 'b3', 'beta')");
    marker_vec = hex_to_bytes(db.scalar("SELECT hex(vector) FROM ex_vectors WHERE id = 1"));
    // A routed request that showed the marker example, its vector being the marker's.
    db.exec("SELECT iccache_feedback('ex', (SELECT decision FROM iccache_route('ex',"
            " (SELECT embedding FROM ex WHERE rowid = 1), '[1]', 1000)), 0.9)");
    db.exec("SELECT iccache_feedback('ex', (SELECT decision FROM iccache_route('ex', 'beta one', '[3, 4]', 1001)), 0.4)");
  }

  // Whether the marker's text, and its vector's bytes, are in the file or its WAL.
  std::pair<bool, bool> traces() const {
    return {on_disk(file.path(), marker), on_disk(file.path(), marker_vec)};
  }
};

const std::pair<bool, bool> kBoth{true, true}, kNone{false, false};

TEST(PrivacyForget, TenantLeavesNoBytesInFileOrWal) {
  // On an encrypted file (the SQLCipher build) no plain bytes are ever on disk to search for.
  if (std::getenv("ICCACHE_TEST_KEY")) GTEST_SKIP() << "encrypted file: nothing to byte-search";
  ForgetFixture f;
  Db& db = f.db;
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "2");
  EXPECT_EQ(db.scalar("SELECT sum(n) FROM ex_router"), "2");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  // Sanity: before the forget, both the text and the vector are in the file.
  ASSERT_EQ(f.traces(), kBoth);

  db.exec("INSERT INTO ex(ex, tenant) VALUES('forget', 'acme')");
  EXPECT_EQ(db.query("PRAGMA wal_checkpoint(TRUNCATE)")[0][0], "0");  // not busy
  EXPECT_EQ(f.traces(), kNone);

  // Every table: no acme example, decision or sample left; the router forgot its reward.
  EXPECT_EQ(db.query("SELECT rowid, request, response, tenant FROM ex"),
            (Rows{{"3", "beta one", "b1", "beta"}, {"4", "beta two", "b2", "beta"}, {"5", "beta three", "b3", "beta"}}));
  EXPECT_EQ(db.scalar("SELECT group_concat(id) FROM ex_vectors"), "3,4,5");
  EXPECT_EQ(db.scalar("SELECT group_concat(id) FROM ex_index"), "3,4,5");
  EXPECT_EQ(db.scalar("SELECT group_concat(example_ids, ';') FROM ex_decisions"), "[3,4]");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_samples WHERE decision NOT IN (SELECT id FROM ex_decisions)"), "0");
  EXPECT_EQ(db.scalar("SELECT sum(n) || ',' || printf('%.2f', sum(reward_sum)) FROM ex_router"), "1,0.40");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'bytes'"),
            db.scalar("SELECT sum(bytes) FROM ex_data"));
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
  EXPECT_EQ(db.scalar("PRAGMA integrity_check"), "ok");
  // The other tenant still searches and routes.
  EXPECT_EQ(db.scalar("SELECT rowid FROM ex WHERE ex MATCH 'beta two' AND k = 1 AND tenant = 'beta'"), "4");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM iccache_route('ex', 'beta one', '[3]', 1002)"), "1");
  // secure_delete is back to its old value afterwards.
  EXPECT_EQ(db.scalar("PRAGMA secure_delete"), "0");
}

// The control: a plain DELETE with secure_delete off leaves the bytes in the file, which is
// why forget turns it on (and why the test above can fail).
TEST(PrivacyForget, PlainDeleteLeavesBytesBehind) {
  // On an encrypted file (the SQLCipher build) no plain bytes are ever on disk to search for.
  if (std::getenv("ICCACHE_TEST_KEY")) GTEST_SKIP() << "encrypted file: nothing to byte-search";
  ForgetFixture f;
  Db& db = f.db;
  db.exec("DELETE FROM ex WHERE tenant = 'acme'");
  EXPECT_EQ(db.query("PRAGMA wal_checkpoint(TRUNCATE)")[0][0], "0");
  EXPECT_EQ(f.traces(), kBoth);
}

TEST(PrivacyForget, ByUserAndByTenantAndUser) {
  ForgetFixture f;
  Db& db = f.db;
  db.exec("INSERT INTO ex(ex, user) VALUES('forget', 'u2')");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex"), "1,3,4,5");
  db.exec("INSERT INTO ex(ex, tenant, user) VALUES('forget', 'beta', 'u1')");  // no such pair
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex"), "1,3,4,5");
  db.exec("INSERT INTO ex(ex, tenant, user) VALUES('forget', 'acme', 'u1')");
  EXPECT_EQ(db.scalar("SELECT group_concat(rowid) FROM ex"), "3,4,5");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex_decisions"), "1");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(f.traces(), kNone);
  // Forgetting someone with nothing stored is not an error.
  db.exec("INSERT INTO ex(ex, tenant) VALUES('forget', 'nobody')");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

}  // namespace
