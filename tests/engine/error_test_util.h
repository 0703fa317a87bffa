// Shared by the engine tests that expect an exact error message.
#pragma once
#include <string>

#include "common/error.h"

namespace iccache {

// Message of the iccache::Error (or of its subclass E, such as CorruptData) thrown by `f`, or
// "" when nothing is thrown. Any other exception fails the test.
template <class E = Error, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace iccache
