// The clocks of iccache. The wall clock: seconds since 1970 as a double, what every stored time
// (created_at, decision and feedback times, change-log times) is measured in.
#pragma once
#include <chrono>

namespace iccache {

inline double wall_clock_now() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

// Seconds on the steady clock (never set back): what durations, pauses and deadlines of
// this process are measured in; meaningless across processes.
inline double steady_clock_now() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace iccache
