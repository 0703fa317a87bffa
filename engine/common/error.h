// Error type of the engine. Every engine failure is an iccache::Error whose message is a
// full sentence naming what was wrong and what was expected; ext/ turns it into an SQL error.
#pragma once
#include <stdexcept>
#include <string>

namespace iccache {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Stored data that is damaged (a vector of the wrong size, a list out of range, a text that
// does not decode): ext/ reports it as SQLITE_CORRUPT_VTAB.
class CorruptData : public Error {
 public:
  explicit CorruptData(const std::string& message) : Error(message) {}
};

}  // namespace iccache
