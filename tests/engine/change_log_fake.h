// A change log in memory (common/change_feed.h) for the engine tests of the caches that
// follow it: entries in seq order; write() appends one and returns the nonce it stored.
#pragma once
#include <optional>
#include <vector>

#include "common/change_feed.h"

namespace iccache::testing {

struct FakeLog : ChangeFeed {
  std::vector<Change> entries;
  bool exists() override { return true; }
  std::optional<Change> last() override {
    return entries.empty() ? std::nullopt : std::optional<Change>(entries.back());
  }
  std::optional<int64_t> gen_at(int64_t seq) override {
    for (const Change& e : entries)
      if (e.seq == seq) return e.gen;
    return std::nullopt;
  }
  bool after(int64_t seq, size_t limit, std::vector<Change>& out) override {
    out.clear();
    for (const Change& e : entries)
      if (e.seq > seq) {
        if (out.size() >= limit) return false;
        out.push_back(e);
      }
    return true;
  }
  int64_t write(int64_t id, ChangeKind kind = ChangeKind::kExample) {
    const int64_t seq = entries.empty() ? 1 : entries.back().seq + 1;
    entries.push_back({seq, id, kind, 1000 + seq, 0});
    return 1000 + seq;  // the generation the write stored
  }
};

}  // namespace iccache::testing
