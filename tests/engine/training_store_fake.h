// A training store in memory (engine/index/training_store.h) for the engine tests of the
// training code: examples, the two rows tables, the state keys, a change log; every call
// that writes or opens/ends a transaction is recorded in `calls`. A clock whose time moves
// only by `tick` per reading and by the pauses it is asked for.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "change_log_fake.h"
#include "index/training_store.h"

namespace iccache::testing {

struct FakeTrainingStore : index::TrainingStore {
  int dim = 4;
  std::map<int64_t, std::pair<std::vector<float>, std::string>> examples;
  std::map<int64_t, int> rows[2];  // id -> list
  bool alt = false;
  int slot = 0;
  bool slot_key = false;  // whether 'index_slot' is stored
  int64_t epoch_ = 7;
  index::LockRow lock;
  std::optional<int64_t> lock_log_seq;
  int64_t trained = 0;
  FakeLog feed;
  int64_t switch_changes = -1;
  int64_t finished_rows = -1;  // the index size finish was given
  int publishes = 0;
  std::vector<std::string> calls;
  std::function<void(int64_t id)> on_put;  // runs after each put_row (writes "meanwhile")

  // Examples 1..n: distinct vectors, tenant "t<id % 2>".
  void add_examples(int64_t n) {
    for (int64_t id = 1; id <= n; ++id)
      examples[id] = {{static_cast<float>(id % 5) + 1, static_cast<float>(id / 5) + 1, static_cast<float>(id % 3), 1},
                      "t" + std::to_string(id % 2)};
  }

  void begin_read() override { calls.push_back("begin_read"); }
  int busy_tries = 0;  // tries that find the file busy before one succeeds
  bool try_begin_write(bool last_try) override {
    calls.push_back(busy_tries > 0 ? (last_try ? "busy, last try" : "busy") : "begin_write");
    if (busy_tries == 0) return true;
    --busy_tries;
    if (last_try) throw std::runtime_error("database is locked");
    return false;
  }
  void commit() override { calls.push_back("commit"); }
  void rollback() noexcept override { calls.push_back("rollback"); }
  int64_t epoch() override { return epoch_; }
  index::LockRow lock_row() override { return lock; }
  void put_lock(const index::LockRow& row, std::optional<int64_t> log_seq) override {
    calls.push_back("put_lock");
    lock = row;
    lock_log_seq = log_seq;
  }
  void drop_lock() override {
    calls.push_back("drop_lock");
    lock = {};
    lock_log_seq.reset();
  }
  ChangeFeed& log() override { return feed; }
  void for_each_example(const std::function<void(int64_t, std::string_view, const float*)>& fn) override {
    for (const auto& [id, e] : examples) fn(id, e.second, e.first.data());
  }
  bool read_example(int64_t id, std::vector<float>& v, std::string& tenant) override {
    auto it = examples.find(id);
    if (it == examples.end()) return false;
    v = it->second.first;
    tenant = it->second.second;
    return true;
  }
  int64_t trained_n() override { return trained; }
  int active_slot() override { return slot; }
  bool has_alt() override { return alt; }
  void create_alt() override {
    calls.push_back("create_alt");
    alt = true;
  }
  void put_row(int s, int64_t id, int list, std::string_view, const uint8_t*, size_t) override {
    rows[s][id] = list;
    if (on_put) on_put(id);
  }
  void remove_row(int s, int64_t id) override {
    calls.push_back("remove_row " + std::to_string(s) + " " + std::to_string(id));
    rows[s].erase(id);
  }
  int64_t clear_some(int s, int64_t limit) override {
    int64_t n = 0;
    while (n < limit && !rows[s].empty()) {
      rows[s].erase(rows[s].begin());
      ++n;
    }
    calls.push_back("clear_some " + std::to_string(s) + " " + std::to_string(n));
    return n;
  }
  void clear_rows(int s) override {
    calls.push_back("clear_rows " + std::to_string(s));
    rows[s].clear();
  }
  void reset_slot() override {
    calls.push_back("reset_slot");
    slot = 0;
    slot_key = false;
  }
  void switch_slot(int s, int64_t changes) override {
    calls.push_back("switch_slot " + std::to_string(s));
    slot = s;
    slot_key = true;
    switch_changes = changes;
  }
  void finish(index::IvfTraining& tr, double) override {
    calls.push_back("finish");
    finished_rows = static_cast<int64_t>(tr.index.size());
    trained = finished_rows;
    ++epoch_;
  }
  void note_switch_seconds(double) override { calls.push_back("note_switch_seconds"); }
  void publish() override {
    calls.push_back("publish");
    ++publishes;
  }
};

struct FakeClock : index::TrainingClock {
  double t = 0;
  double tick = 0;  // added by every now()
  std::vector<double> pauses;
  double now() override {
    const double r = t;
    t += tick;
    return r;
  }
  double wall() override { return 1e9 + t; }
  void pause(double s) override {
    pauses.push_back(s);
    t += s;
  }
};

}  // namespace iccache::testing
