// Data-driven SQL tests in the style of sqllogictest (as DuckDB's extensions write them):
// one file per concept under tests/sql/slt/, each a list of records run in order on one
// database file with the extension loaded:
//
//   # a comment
//   statement ok
//   CREATE VIRTUAL TABLE ex USING iccache(dim=16)
//
//   statement error
//   CREATE VIRTUAL TABLE bad USING iccache(dim=0)
//   ----
//   bad: option dim=0 is not valid; expected an integer from 1 to 4096
//
//   query IT
//   SELECT rowid, request FROM ex ORDER BY rowid
//   ----
//   1	what is 2+2
//
//   reopen
//
// A statement or query ends at a blank line or at "----". An error is the exact message
// SQLite reports (sqlite3_errmsg). Query rows are the columns separated by one tab, NULL as
// NULL, REAL as SQLite's text of it, BLOB as lowercase hex; the letters after `query` name
// the column count (one letter per column: I integer, R real, T text; only the count is
// checked). `query ... rowsort` sorts actual and expected rows before comparing. `reopen`
// closes the connection and opens the file again (what survives a restart).
//
// ICCACHE_SLT_PRINT=1 prints every record with what it actually produced, in this format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "sql_test_util.h"

namespace iccache_test {
namespace {

namespace fs = std::filesystem;

fs::path slt_dir() { return fs::path(ICCACHE_SOURCE_DIR) / "tests" / "sql" / "slt"; }

std::vector<std::string> slt_files() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(slt_dir()))
    if (e.path().extension() == ".test") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct Record {
  int line = 0;        // 1-based line of the record's first line
  std::string kind;    // "statement", "query", "reopen"
  bool expect_error = false;
  size_t columns = 0;  // query: letters after "query"
  bool rowsort = false;
  std::string sql;
  std::vector<std::string> expected;  // error message lines, or rows
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) out.push_back(cur), cur.clear();
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

std::vector<Record> parse(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
  }
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    const std::vector<std::string> head = split(lines[i++], ' ');
    r.kind = head[0];
    if (r.kind == "reopen") {
      records.push_back(r);
      continue;
    }
    if (r.kind == "statement") {
      if (head.size() != 2 || (head[1] != "ok" && head[1] != "error"))
        throw std::runtime_error(file.string() + ":" + std::to_string(r.line) + ": expected 'statement ok' or 'statement error'");
      r.expect_error = head[1] == "error";
    } else if (r.kind == "query") {
      if (head.size() < 2) throw std::runtime_error(file.string() + ":" + std::to_string(r.line) + ": query needs column letters");
      r.columns = head[1].size();
      r.rowsort = head.size() > 2 && head[2] == "rowsort";
    } else {
      throw std::runtime_error(file.string() + ":" + std::to_string(r.line) + ": unknown record '" + r.kind + "'");
    }
    for (; i < lines.size() && !lines[i].empty() && lines[i] != "----"; ++i) r.sql += (r.sql.empty() ? "" : "\n") + lines[i];
    if (i < lines.size() && lines[i] == "----")
      for (++i; i < lines.size() && !lines[i].empty(); ++i) r.expected.push_back(lines[i]);
    records.push_back(r);
  }
  return records;
}

std::string cell(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_BLOB: {
      static const char* hex = "0123456789abcdef";
      const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
      std::string out;
      for (int j = 0; j < sqlite3_column_bytes(s, i); ++j) out += hex[p[j] >> 4], out += hex[p[j] & 15];
      return out;
    }
    default: return reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  }
}

// Runs every statement of `sql`; returns the rows of the last one (tab-joined), or the
// error message in *error.
std::vector<std::string> run(sqlite3* db, const std::string& sql, size_t* columns, std::string* error) {
  std::vector<std::string> rows;
  const char* tail = sql.c_str();
  while (tail && *tail) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &s, &tail) != SQLITE_OK) {
      *error = sqlite3_errmsg(db);
      return rows;
    }
    if (!s) continue;  // whitespace or a comment
    rows.clear();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      *columns = static_cast<size_t>(sqlite3_column_count(s));
      std::string row;
      for (int c = 0; c < sqlite3_column_count(s); ++c) row += (c ? "\t" : "") + cell(s, c);
      rows.push_back(row);
    }
    if (rc != SQLITE_DONE) {
      *error = sqlite3_errmsg(db);
      sqlite3_finalize(s);
      return rows;
    }
    sqlite3_finalize(s);
  }
  return rows;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class Slt : public ::testing::TestWithParam<std::string> {};

TEST_P(Slt, File) {
  const fs::path file = slt_dir() / (GetParam() + ".test");
  const std::vector<Record> records = parse(file);
  const bool print = std::getenv("ICCACHE_SLT_PRINT") != nullptr;
  TempFile tmp;
  auto db = std::make_unique<Db>(tmp.path());
  for (const Record& r : records) {
    const std::string where = file.filename().string() + ":" + std::to_string(r.line);
    if (r.kind == "reopen") {
      db.reset();
      db = std::make_unique<Db>(tmp.path());
      if (print) std::cout << "reopen\n\n";
      continue;
    }
    std::string error;
    size_t columns = 0;
    std::vector<std::string> rows = run(db->get(), r.sql, &columns, &error);
    if (print) {
      std::cout << (r.kind == "query" ? "query " + std::string(columns ? columns : r.columns, 'T') : "statement " + std::string(error.empty() ? "ok" : "error"))
                << "\n" << r.sql << "\n";
      if (!error.empty()) std::cout << "----\n" << error << "\n";
      else if (r.kind == "query") std::cout << "----\n" << joined(rows);
      std::cout << "\n";
    }
    if (r.kind == "statement" && !r.expect_error) {
      EXPECT_EQ(error, "") << where << ": the statement failed:\n" << r.sql;
    } else if (r.kind == "statement") {
      EXPECT_EQ(error, joined(r.expected).substr(0, joined(r.expected).size() - (r.expected.empty() ? 0 : 1)))
          << where << ": expected this error from:\n" << r.sql;
    } else {
      ASSERT_EQ(error, "") << where << ": the query failed:\n" << r.sql;
      if (!rows.empty()) EXPECT_EQ(columns, r.columns) << where << ": column count";
      std::vector<std::string> expected = r.expected;
      if (r.rowsort) {
        std::sort(rows.begin(), rows.end());
        std::sort(expected.begin(), expected.end());
      }
      EXPECT_EQ(joined(rows), joined(expected)) << where << ": rows of:\n" << r.sql;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Slt, ::testing::ValuesIn(slt_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace iccache_test
