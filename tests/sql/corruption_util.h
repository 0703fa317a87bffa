// Helpers for the corruption tests: a file-backed table whose shadow tables are then
// tampered with through plain SQL (as a bad tool, a bug or a damaged disk might), and a
// second connection that opens it afresh, so nothing is answered from a cache built
// before the damage.
#pragma once
#include <memory>
#include <string>

#include "sql_test_util.h"

namespace iccache_test {

class Tampered {
 public:
  // Creates the table with `create` and runs `fill` on it.
  Tampered(const std::string& create, const std::string& fill);
  Db& writer() { return *writer_; }
  // A new connection to the damaged file (each call opens a fresh one).
  Db& fresh();
  // The error of one statement on a fresh connection ("" when it succeeded).
  std::string error_on_fresh(const std::string& sql);
  // Every kind of statement users and operators issue; each may fail, none may crash
  // (the ASan/UBSan build turns any memory error into a test failure).
  void run_everything();

 private:
  TempFile file_;
  std::unique_ptr<Db> writer_, fresh_;
};

}  // namespace iccache_test
