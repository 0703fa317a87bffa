// This process's resident memory from /proc/self/status, for the long-text test
// (tests/sql/long_text_test.cpp) and benchmark (bench/long_text_bench.cpp): Linux only.
#pragma once
#include <fstream>
#include <string>

namespace iccache_test {

// A "<field>: <n> kB" line of /proc/self/status (VmRSS, VmHWM, ...) in kB; -1 when absent.
inline long status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.compare(0, key.size(), key) == 0) return std::stol(line.substr(key.size()));
  return -1;
}

// Resets VmHWM (the peak) to the current RSS (`echo 5 > /proc/self/clear_refs`); false
// where the kernel does not allow it.
inline bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  return static_cast<bool>(f);
}

}  // namespace iccache_test
