// SQL-level fuzzing support: the extension is linked into the fuzzer (its ext/ sources
// are compiled with coverage) and registered with sqlite3_auto_extension, so every
// connection opened by a target has it, exactly as a host that loads it would.
#pragma once
#include <sqlite3.h>

#include <string>
#include <vector>

namespace iccache_fuzz {

// A value bound to a statement parameter.
struct Value {
  enum Kind { kNull, kInt, kReal, kText, kBlob } kind = kNull;
  long long i = 0;
  double r = 0;
  std::string s;  // text or blob bytes
};

class FuzzDb {
 public:
  FuzzDb();  // an in-memory database with the extension
  ~FuzzDb();
  sqlite3* get() const { return db_; }
  // Runs one statement to completion with the values bound in order. SQL errors are the
  // expected answer to bad input and are returned (SQLITE_OK on success); results that
  // can only come from a bug (corruption reported by the extension on a database it wrote
  // itself, SQLITE_INTERNAL, SQLITE_MISUSE) abort. Result rows are read in full
  // (every column), and their first column collected into `first` when it is given.
  int run(const std::string& sql, const std::vector<Value>& values = {},
          std::vector<std::string>* first = nullptr);
  // Aborts unless the iccache integrity-check and PRAGMA integrity_check both pass.
  void check_integrity(const char* table);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace iccache_fuzz
