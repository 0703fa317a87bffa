// The bookkeeping of an in-memory cache of a table's stored state that a stored random nonce
// validates (the router's and selection's state): every write stores a fresh nonce with the
// data it describes, and the cache is current while the stored nonce equals the one it
// loaded or last wrote. A rollback or another connection's commit changes the stored nonce,
// so the next use reloads. Store: the state's store interface, with generation() returning
// the stored nonce.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "options/table_options.h"

namespace iccache {

template <class Store>
class NonceCache {
 public:
  // options: the table's (kept by reference: they outlive the cache); table: its name, for
  // errors; nonce: the table's random source of generations.
  NonceCache(std::unique_ptr<Store> store, const TableOptions& options, std::string table, std::mt19937_64& nonce)
      : store_(std::move(store)), options_(options), table_(std::move(table)), nonce_(nonce) {}

  Store& store() { return *store_; }
  const TableOptions& options() const { return options_; }
  const std::string& table() const { return table_; }

  bool loaded = false;
  int64_t generation = 0;  // the nonce the cache reflects

  // The stored nonce when the cache does not reflect it (then marked not loaded until the
  // caller has reloaded), nullopt when the cache is current.
  std::optional<int64_t> stale_generation() {
    const int64_t g = store_->generation();
    if (loaded && g == generation) return std::nullopt;
    loaded = false;
    return g;
  }
  // A fresh random nonce for the next write (adopted only once the write succeeded).
  int64_t next_generation() { return static_cast<int64_t>(nonce_() >> 1); }

 private:
  std::unique_ptr<Store> store_;
  const TableOptions& options_;
  std::string table_;
  std::mt19937_64& nonce_;
};

}  // namespace iccache
