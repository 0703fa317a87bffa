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

}  // namespace iccache
