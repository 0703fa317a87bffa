// A small SQLite connection wrapper for the reliability drivers (crash test, two-process
// test). Unlike the GoogleTest helpers, every failure is an exception carrying SQLite's
// message, so a child process can report it and exit, and the parent can say which check
// failed and why.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace iccache_rel {

class SqlFailure : public std::runtime_error {
 public:
  SqlFailure(int code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  int code() const { return code_; }  // extended result code

 private:
  int code_;
};

using Row = std::vector<std::string>;

class Conn {
 public:
  // Opens `path`, sets a busy timeout and loads the extension at `ext_path`.
  Conn(const std::string& path, const std::string& ext_path, int busy_ms = 10000);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sqlite3* get() const { return db_; }
  // Runs statements (no parameters); throws SqlFailure.
  void exec(const std::string& sql);
  // Rows of one statement with text parameters ?1, ?2, ... bound in order; NULL reads
  // as "NULL", BLOBs as their raw bytes. Throws SqlFailure.
  std::vector<Row> query(const std::string& sql, const std::vector<std::string>& params = {});
  std::string scalar(const std::string& sql, const std::vector<std::string>& params = {});
  int64_t integer(const std::string& sql, const std::vector<std::string>& params = {});

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace iccache_rel
