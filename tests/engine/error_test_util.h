// Shared by the engine tests that expect an exact error message.
#pragma once
#include <string>

#include "common/error.h"

namespace iccache {

// Message of the iccache::Error thrown by `f`, or "" when nothing is thrown.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace iccache
