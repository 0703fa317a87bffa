// Persistent form of the IVF index, in shadow tables and T_state:
//   T_index(id INTEGER PRIMARY KEY, list, tenant, code)  one row per example: its list
//       (0 before training), its tenant (so loading never reads T_data), and its SQ8 code
//       (dim bytes) when the table quantizes, else NULL
//   T_index_alt  the same columns: the second copy of those rows. T_state 'index_slot'
//       says which of the two is in use (absent or 0: T_index, 1: T_index_alt). A
//       background training fills the other one in small transactions while writers go on
//       with the one in use, then switches in one short transaction (engine/index/staged_write.h); the
//       one left is emptied after. Rows in the table not in use mean nothing (a training's
//       half-written rows after a crash): no reader looks at them, the next training
//       empties it first. Files made before it have no T_index_alt until their first
//       background training.
//   T_centroids(list INTEGER PRIMARY KEY, centroid BLOB)  one row per list after training
//   T_state 'ivf_trained_n' (examples at the last training, 0 = untrained), 'sq8_ranges',
//           'nprobe_tuned' and 'nprobe_tuned_recall' (see engine/index/nprobe_tuner.h)
// A write touches one row of the table in use; only training rewrites them all. Nothing is
// one big blob (sqlite-vss's mistake), and reopening loads rows without retraining.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/sql/stmt.h"

namespace iccache::ext {

class Storage;

class IndexStore {
 public:
  explicit IndexStore(const Storage& storage);

  // The rows table in use (0: T_index, 1: T_index_alt), read from T_state each time (a
  // training elsewhere may have switched); throws SQLITE_CORRUPT_VTAB for another value.
  int active_slot();
  // The quoted name of a slot's table.
  const std::string& rows_table(int slot) const { return slot == 0 ? index_ : alt_; }
  // Whether T_index_alt exists (true is remembered), and CREATE TABLE IF NOT EXISTS.
  bool has_alt();
  void create_alt();

  // Writes to the table in use (put_in: to the given slot's).
  void put(int64_t id, int list, std::string_view tenant, const uint8_t* code, size_t code_bytes);
  void put_in(int slot, int64_t id, int list, std::string_view tenant, const uint8_t* code, size_t code_bytes);
  // Deletes the example's row from both tables: a deleted example (privacy forget) leaves
  // no copy behind in the table not in use either.
  void remove(int64_t id);
  void remove_from(int slot, int64_t id);
  // Deletes up to `limit` rows of a slot's table, lowest ids first; returns how many.
  int64_t clear_some(int slot, int64_t limit);
  void change_id(int64_t from, int64_t to);

  int64_t trained_n();
  std::vector<float> centroids(int dim);
  // The SQ8 ranges (2 x dim floats), empty when none are stored; throws SQLITE_CORRUPT_VTAB
  // for a stored value of another size.
  std::vector<float> sq8_ranges(int dim);
  // Replaces the training (centroids, ranges, N) in one go; rows are rewritten by put().
  void save_training(const std::vector<float>& centroids, int dim,
                     const std::vector<float>& sq8_ranges, int64_t n);

  // nprobe chosen at training for the recall target, and the recall measured with it.
  void save_tuning(int nprobe, double recall);
  int tuned_nprobe();

  // Every example's vector with the tenant of its example row, in id order: what training
  // reads, so that it rebuilds lists whatever state T_index is in. Throws
  // SQLITE_CORRUPT_VTAB for a vector that is not dim float32 values.
  void for_each_example_vector(int dim, const std::function<void(int64_t, std::string_view, const float*)>& fn);
  // Every example's index row, with its float32 vector when with_vectors, in id order:
  // fn(id, list, tenant, code_or_vector_bytes).
  void for_each(bool with_vectors,
                const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn);

 private:

  sqlite3* db_;
  std::string schema_, alt_name_;
  std::string index_, alt_, vectors_, data_, centroids_, state_;
  bool has_alt_ = false;
  Stmt put_[2], del_[2], trained_n_, slot_;
};

}  // namespace iccache::ext
