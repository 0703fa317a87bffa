// The lexical index (text_index='lexical', the default with embedder='hash';
// ext/index/lexical_table.cpp): MATCH with request text ranks by the TF-IDF cosine of the
// request texts, with IDF counts stored in the file; it follows other connections' writes
// through the change log, never keeps a rolled-back write, survives reopening, and keeps
// an exhaustive form (nprobe >= the query's terms) with the same scores.
#include <gtest/gtest.h>

#include "lexical_test_util.h"
#include "sql_test_util.h"

namespace iccache_test {
namespace {

TEST(LexicalSql, MatchRanksByTfIdfCosine) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, selection='similarity')");
  db.exec("INSERT INTO ex(request, response) VALUES('red car', 'a'), ('blue car', 'b')");
  // IDF counted at n = 2: 'car' in both texts (idf ln(3/3) + 1 = 1), the rest in one
  // (ln(3/2) + 1). 'red car' vs 'blue car' share only 'car': 1 / |v|^2 with
  // |v|^2 = 1.4055^2 + 1 + (0.7 * 1.4055)^2 = 3.9432, so 0.2536.
  EXPECT_EQ(top(db, "red car"), "1:1.0000 2:0.2536");
  EXPECT_EQ(top(db, "RED, car!"), "1:1.0000 2:0.2536");
  // Inflections share their stem: 'cars' is 'car'.
  EXPECT_EQ(top(db, "Red cars"), "1:1.0000 2:0.2536");
  // A repeated word saturates: 'car' twice weighs 2 x 2.2 / 3.2 = 1.375; 'car car' and
  // 'car red' are unseen bigrams (idf 1.4055, as for a term in one text). |q|^2 = 1.375^2
  // + 1.4055^2 + 2 (0.7 x 1.4055)^2 = 5.8018; with 'red car': (1.375 + 1.4055^2) /
  // sqrt(3.9432 x 5.8018) = 0.7005; with 'blue car': 1.375 / 4.7831 = 0.2875.
  EXPECT_EQ(top(db, "car car red"), "1:0.7005 2:0.2875");
  // No shared word: filled with similarity 0, smallest id first.
  EXPECT_EQ(top(db, "green bike", 1), "1:0.0000");
  EXPECT_EQ(stat(db, "lexical_loaded"), "1");
  EXPECT_EQ(stat(db, "lexical_documents"), "2");
  EXPECT_EQ(stat(db, "lexical_idf_n"), "2");
  // A MATCH with a vector uses the vector index: the hash embedding's cosine.
  const std::string dense = db.scalar(
      "SELECT group_concat(printf('%.4f', similarity), ' ') FROM ex WHERE ex MATCH (SELECT embedding FROM ex WHERE rowid = 1) AND k = 2");
  EXPECT_EQ(dense.substr(0, 7), "1.0000 ");
  EXPECT_NE(dense, "1.0000 0.2536");
  // text_index='vector' ranks text by the embeddings, as before the lexical index.
  db.exec("CREATE VIRTUAL TABLE ev USING iccache(dim=64, selection='similarity', text_index='vector')");
  db.exec("INSERT INTO ev(request, response) VALUES('red car', 'a'), ('blue car', 'b')");
  EXPECT_EQ(db.scalar("SELECT group_concat(printf('%.4f', similarity), ' ') FROM ev WHERE ev MATCH 'red car' AND k = 2"), dense);
}

TEST(LexicalSql, ExhaustiveFormTenantAndUtilitySelection) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=32)");  // selection='utility' (default)
  db.exec("BEGIN");
  for (int i = 1; i <= 300; ++i)
    db.exec("INSERT INTO ex(rowid, request, response, tenant) VALUES(" + std::to_string(i) + ", 'question " +
            std::to_string(i % 37) + " about topic " + std::to_string(i % 11) + " and more', 'a', '" +
            (i % 2 ? "odd" : "even") + "')");
  db.exec("COMMIT");
  for (const char* q : {"question 5 about topic 3", "topic 7 and more", "about question 12"}) {
    EXPECT_EQ(top(db, q, 10), top(db, q, 10, " AND nprobe = 1048576")) << q;
    EXPECT_EQ(top(db, q, 10, " AND tenant = 'odd'"), top(db, q, 10, " AND tenant = 'odd' AND nprobe = 1048576")) << q;
  }
  // Rows of the asked tenant only.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM (SELECT rowid FROM ex WHERE ex MATCH 'question 5' AND k = 10 AND "
                      "tenant = 'even') WHERE rowid % 2 = 1"),
            "0");
  // The utility model scores the lexical candidates (utility column filled).
  EXPECT_EQ(db.scalar("SELECT count(*) FROM ex WHERE ex MATCH 'question 5 about topic 5' AND k = 5 AND utility IS NOT NULL"), "5");
}

TEST(LexicalSql, IdfRecountedAsTheTableGrowsAndByOptimize) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
  db.exec("BEGIN");
  fill(db, 1, 100);
  db.exec("COMMIT");
  // Counted at 1, 2, 4, ... examples (kind 3 entries), each inside the writing transaction.
  EXPECT_EQ(db.scalar("SELECT group_concat(n) FROM ex_changes WHERE kind = 3"), "1,2,4,8,16,32,64");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "64");
  db.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "100");
  top(db, "filler");
  EXPECT_EQ(stat(db, "lexical_idf_texts"), "100");
  // Forgetting counts again, without the forgotten texts (docs/privacy.md).
  db.exec("INSERT INTO ex(ex, user) VALUES('forget', 'nobody')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "100");
  db.exec("UPDATE ex SET user = 'u7' WHERE rowid = 7");
  db.exec("INSERT INTO ex(ex, user) VALUES('forget', 'u7')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "99");
  // Shrinking to a quarter counts again.
  db.exec("DELETE FROM ex WHERE rowid > 20");
  EXPECT_EQ(db.scalar("SELECT group_concat(n) FROM ex_changes WHERE kind = 3 AND seq > 100"), "100,99,24");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "24");
}

TEST(LexicalSql, OtherConnectionsWritesAreAppliedNotReloaded) {
  SharedFile s("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')", /*wal=*/true);
  Db &a = s.a, &b = s.b;
  fill(a, 1, 20);  // last IDF count at 16: the writes below stay under 32
  EXPECT_EQ(top(b, "zebra crossing", 1), "1:0.0000");
  const std::string reloads = stat(b, "lexical_reloads");
  a.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing ahead', 'a')");
  EXPECT_EQ(top(b, "zebra crossing", 1).substr(0, 4), "100:");
  a.exec("UPDATE ex SET request = 'nothing alike' WHERE rowid = 100");
  EXPECT_EQ(top(b, "zebra crossing", 1), "1:0.0000");
  a.exec("UPDATE ex SET request = 'zebra crossing' WHERE rowid = 3");
  EXPECT_EQ(top(b, "zebra crossing", 1), "3:1.0000");
  a.exec("UPDATE ex SET rowid = 300 WHERE rowid = 3");
  EXPECT_EQ(top(b, "zebra crossing", 1), "300:1.0000");
  a.exec("DELETE FROM ex WHERE rowid = 300");
  EXPECT_EQ(top(b, "zebra crossing", 1), "1:0.0000");
  EXPECT_EQ(stat(b, "lexical_reloads"), reloads);
  EXPECT_EQ(stat(b, "lexical_changes_applied"), "6");
  // Scores agree between the connections.
  EXPECT_EQ(top(a, "filler request number 7"), top(b, "filler request number 7"));
}

TEST(LexicalSql, RolledBackWritesAndCountsAreNeverKept) {
  Db db;
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
  fill(db, 1, 20);
  const std::string before = top(db, "filler request number 7");
  db.exec("BEGIN");
  db.exec("INSERT INTO ex(rowid, request, response) VALUES(100, 'zebra crossing', 'a')");
  EXPECT_EQ(top(db, "zebra crossing", 1), "100:1.0000");  // its own uncommitted write
  fill(db, 21, 40);                                        // crosses 32: new IDF counts
  EXPECT_EQ(db.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "32");
  EXPECT_NE(top(db, "filler request number 7"), before);
  db.exec("ROLLBACK");
  EXPECT_EQ(top(db, "zebra crossing", 1), "1:0.0000");
  EXPECT_EQ(top(db, "filler request number 7"), before);
  EXPECT_EQ(stat(db, "lexical_idf_n"), "16");
  // A failed statement takes its change with it too.
  EXPECT_NE(db.error_of("INSERT INTO ex(rowid, request, response) VALUES(5, 'zebra', 'a')"), "");
  EXPECT_EQ(top(db, "zebra crossing", 1), "1:0.0000");
  db.exec("INSERT INTO ex(ex) VALUES('integrity-check')");
}

TEST(LexicalSql, ReopenGivesTheSameScores) {
  TempFile f;
  std::string before;
  {
    Db db(f.path());
    db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
    db.exec("BEGIN");
    fill(db, 1, 50);
    db.exec("COMMIT");
    before = top(db, "filler request number 42", 5);
  }
  Db db(f.path());
  EXPECT_EQ(top(db, "filler request number 42", 5), before);
  EXPECT_EQ(stat(db, "lexical_idf_n"), "32");
  EXPECT_EQ(stat(db, "lexical_reloads"), "1");
}

TEST(LexicalSql, CountsOfAnOlderFeaturizerAreCountedAgain) {
  // A file from before stemming holds valid counts of other terms, marked "IDF1"; stood in
  // for here by the counts of another table's texts.
  TempFile f;
  std::string fresh, other_hex;
  {
    Db a(f.path());
    a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
    a.exec("CREATE VIRTUAL TABLE other USING iccache(dim=16)");
    fill(a, 1, 20);
    a.exec("INSERT INTO ex(ex) VALUES('optimize')");  // counted at 20: what a recount gives
    a.exec("INSERT INTO other(request, response) VALUES('zebra crossing', 'a'), ('zebra stripes', 'b')");
    fresh = top(a, "filler requests numbered 7", 5);
    EXPECT_EQ(a.scalar("SELECT hex(substr(counts, 1, 4)) FROM ex_idf"), "49444632");  // IDF2
    other_hex = a.scalar("SELECT hex(counts) FROM other_idf");
    a.set_defensive(false);  // tampering with a shadow table, as the amalgamation build forbids
    a.exec("UPDATE ex_idf SET counts = x'" + other_hex + "'");
  }
  {
    // Counts marked as the current version are used as they are: other scores.
    Db b(f.path());
    EXPECT_NE(top(b, "filler requests numbered 7", 5), fresh);
  }
  const std::string old_hex = "49444631" + other_hex.substr(8);  // "IDF1"
  {
    Db b(f.path());
    b.set_defensive(false);
    b.exec("UPDATE ex_idf SET counts = x'" + old_hex + "'");
  }
  Db c(f.path());
  // Old counts: counted again in memory from the same texts, so the fresh scores, and a
  // read stores nothing.
  EXPECT_EQ(top(c, "filler requests numbered 7", 5), fresh);
  EXPECT_EQ(stat(c, "lexical_idf_n"), "20");
  EXPECT_EQ(c.scalar("SELECT hex(counts) FROM ex_idf"), old_hex);
  // The next write stores the counts (inside its transaction, a kind 3 change at n = 21).
  fill(c, 21, 21);
  EXPECT_EQ(c.scalar("SELECT hex(substr(counts, 1, 4)) FROM ex_idf"), "49444632");
  EXPECT_EQ(c.scalar("SELECT value FROM ex_state WHERE key = 'lexical_n'"), "21");
  EXPECT_EQ(c.scalar("SELECT n FROM ex_changes WHERE kind = 3 ORDER BY seq DESC LIMIT 1"), "21");
  fill(c, 22, 22);  // and only once
  EXPECT_EQ(c.scalar("SELECT count(*) FROM ex_changes WHERE kind = 3 AND n > 20"), "1");
  EXPECT_EQ(top(c, "filler request number 7", 1), "7:1.0000");
}

TEST(LexicalSql, AFileWithItsCountsInTheStateTableOpensAndMovesThem) {
  // Files written before T_idf keep the counts in T_state 'lexical_idf' and have no
  // T_idf: made here from a current file by moving the row back and dropping the table.
  TempFile f;
  std::string fresh, counts_hex;
  {
    Db a(f.path());
    a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16, selection='similarity')");
    fill(a, 1, 20);
    fresh = top(a, "filler requests numbered 7", 5);
    counts_hex = a.scalar("SELECT hex(counts) FROM ex_idf");
    EXPECT_EQ(a.scalar("SELECT count(*) FROM ex_state WHERE key = 'lexical_idf'"), "0");
    a.set_defensive(false);  // writing the old layout, as the amalgamation build forbids
    a.exec("INSERT INTO ex_state(key, value) SELECT 'lexical_idf', counts FROM ex_idf");
    a.exec("DROP TABLE ex_idf");
  }
  {
    // Opens and reads the counts where they are; renames without a T_idf; a rolled-back
    // write leaves the old layout.
    Db b(f.path());
    EXPECT_EQ(top(b, "filler requests numbered 7", 5), fresh);
    b.exec("ALTER TABLE ex RENAME TO ex2");
    EXPECT_EQ(b.scalar("SELECT group_concat(rowid || ':' || printf('%.4f', similarity), ' ') FROM (SELECT rowid, "
                       "similarity FROM ex2 WHERE ex2 MATCH 'filler requests numbered 7' AND k = 5)"),
              fresh);
    b.exec("ALTER TABLE ex2 RENAME TO ex");
    b.exec("BEGIN");
    fill(b, 21, 21);
    b.exec("ROLLBACK");
    EXPECT_EQ(b.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'ex_idf'"), "0");
    EXPECT_EQ(b.scalar("SELECT hex(value) FROM ex_state WHERE key = 'lexical_idf'"), counts_hex);
    EXPECT_EQ(top(b, "filler requests numbered 7", 5), fresh);
  }
  {
    // The first write moves them (the same bytes: no recount, no reload, the same scores).
    Db c(f.path());
    fill(c, 21, 21);
    EXPECT_EQ(c.scalar("SELECT count(*) FROM ex_state WHERE key = 'lexical_idf'"), "0");
    EXPECT_EQ(c.scalar("SELECT hex(counts) FROM ex_idf WHERE id = 1"), counts_hex);
    EXPECT_EQ(c.scalar("SELECT count(*) FROM ex_changes WHERE kind = 3 AND n > 20"), "0");
    EXPECT_EQ(top(c, "filler requests numbered 7", 5), fresh);
    EXPECT_EQ(stat(c, "lexical_reloads"), "1");
    // Counts a previous version writes into T_state after the move are the newer ones:
    // read first (damaged ones here, so that it shows), and replaced by the next count.
    c.set_defensive(false);
    c.exec("INSERT INTO ex_state(key, value) VALUES('lexical_idf', x'00')");
  }
  Db d(f.path());
  EXPECT_EQ(d.error_of("SELECT rowid FROM ex WHERE ex MATCH 'filler' AND k = 1").substr(0, 41),
            "ex: the stored IDF counts have 1 bytes an");
  d.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(d.scalar("SELECT count(*) FROM ex_state WHERE key = 'lexical_idf'"), "0");
  EXPECT_EQ(top(d, "filler request number 2", 1), "2:1.0000");
}

TEST(LexicalSql, BadOptionsAndDamagedCounts) {
  Db db;
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE ex USING iccache(text_index='fts')"),
            "ex: option text_index=fts is not valid; expected 'lexical' or 'vector'");
  EXPECT_EQ(db.error_of("CREATE VIRTUAL TABLE ex USING iccache(dim=4, embedder='none', text_index='lexical')"),
            "ex: option text_index='lexical' indexes request text, but embedder='none' takes vectors only; "
            "expected text_index='vector' or embedder='hash'");
  TempFile f;
  {
    Db a(f.path());
    a.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=16)");
    fill(a, 1, 5);
    a.set_defensive(false);  // tampering with a shadow table, as the amalgamation build forbids
    a.exec("UPDATE ex_idf SET counts = x'00'");
  }
  Db b(f.path());
  EXPECT_EQ(b.error_of("SELECT rowid FROM ex WHERE ex MATCH 'filler' AND k = 1"),
            "ex: the stored IDF counts have 1 bytes and no valid header; expected \"IDF2\", two counts and 8 "
            "bytes per term (run INSERT INTO ex(ex) VALUES('optimize') to count them again)");
  b.exec("INSERT INTO ex(ex) VALUES('optimize')");
  EXPECT_EQ(top(b, "filler request number 2", 1), "2:1.0000");
}

}  // namespace
}  // namespace iccache_test
