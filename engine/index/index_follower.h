// How a table's in-memory vector index follows the shadow tables, and which index answers
// a search (docs/architecture.md, "Consistency: one file, one truth" and "Many connections,
// one index").
//
// Every write appends a change-log entry (common/change_feed.h) with a fresh random
// generation nonce, also stored in T_state. An index remembers the (seq, gen) of the entry
// it reflects. Before a search, the caller reads the stored generation g (one indexed read):
//   - equal to the index's gen: nothing to do;
//   - else, when the log still holds the index's entry with the same nonce, the entries
//     after it name the examples written since; only their rows are read and applied
//     (a rolled-back entry cannot match: its row is gone or the seq was reused with
//     another nonce);
//   - else (entry pruned, history diverged, a new training epoch, too many changes, or
//     the newest entry's nonce is not the stored generation: a write by an older
//     version), the index is reloaded from the tables.
// The rule is plan_catch_up (common/change_feed.h); which cache answers, common/
// cache_choice.h. The rows come through IndexSource, which ext/index/table_index.cpp
// implements with SQL over the rows table in use, T_vectors, T_centroids and T_state.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cache_choice.h"
#include "common/change_feed.h"
#include "index/index_cache.h"

namespace iccache::index {

// One example's index row as the tables hold it now.
struct IndexRow : ChangedRow {
  int list = 0;
  std::string tenant;
  std::string blob;  // its SQ8 code or float32 vector, as asked
};

// What following the tables reads, as of the caller's view of the file.
class IndexSource {
 public:
  virtual ~IndexSource() = default;
  virtual ChangeFeed& log() = 0;
  // T_state 'epoch': the training the tables hold (0: none recorded).
  virtual int64_t epoch() = 0;
  // nprobe for queries without one (the command, the option or the tuned value).
  virtual int nprobe() = 0;
  // The training: k x dim centroids (empty before training), 2 x dim SQ8 ranges (or empty).
  virtual std::vector<float> centroids() = 0;
  virtual std::vector<float> sq8_ranges() = 0;
  // Every example's index row in id order, with its float32 vector when `vectors`, else
  // its SQ8 code: fn(id, list, tenant, bytes).
  virtual void for_each_row(bool vectors,
                            const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) = 0;
  // The current rows of `ids`, one per id in order, with SQ8 codes when `codes`, else
  // float32 vectors.
  virtual std::vector<IndexRow> rows(const std::vector<int64_t>& ids, bool codes) = 0;
};

// What a search found: the hits, whether the index searched reflects exactly the view's
// generation (then an id without a row is damage; otherwise the index was ahead of a
// long read transaction's snapshot), and how many vectors it held.
struct Answer {
  std::vector<Hit> hits;
  bool exact = true;
  size_t searched = 0;
};

// A connection's indexes of one table (common/cache_choice.h).
using ConnectionIndexes = ConnectionCaches<IndexCache, IndexOverlay>;

class IndexFollower {
 public:
  // table: the table's name, for the error messages of damaged rows.
  IndexFollower(IndexSource& source, std::string table, int dim, bool sq8)
      : src_(source), table_(std::move(table)), dim_(dim), sq8_(sq8) {}

  // Top-k of unit vector q for generation g of the caller's view (in_write: inside a write
  // transaction), with the index's nprobe, or nprobe_override when > 0. `fetch` reads the
  // float32 vectors SQ8 candidates are re-ranked with.
  Answer search(ConnectionIndexes ix, int64_t g, bool in_write, const float* q, int k, const std::string* tenant,
                int nprobe_override, const IvfIndex::FetchFn& fetch);

  // Reloads c from the tables as of generation g. Throws CorruptData for a row whose
  // vector or code has the wrong size or whose list is out of range.
  void load(IndexCache& c, int64_t g);
  // Brings c to generation g: applies the changed rows or reloads (plan_catch_up). The
  // caller holds c.update_mu; committed_only: c is the shared index.
  void catch_up(IndexCache& c, int64_t g, bool committed_only);
  // Derives or extends o, the changes since the shared index's entry, up to generation g;
  // false when it cannot serve (nothing loaded, history diverged, a new epoch inside the
  // transaction, too many changes).
  bool update_overlay(IndexOverlay& o, const IndexCache& shared, int64_t g);
  // The shared index's answer without the overlay's ids, merged with the overlay's rows;
  // ok false when the shared index has left the state the overlay was derived from.
  // The steps answering_cache (common/cache_choice.h) takes besides those above.
  std::shared_ptr<IndexCache> make_cache() const { return std::make_shared<IndexCache>(dim_, sq8_); }
  static void offer(IndexCache& shared, IndexCache& built) { offer_index(shared, built); }

  static std::vector<Hit> search_overlay(const IndexCache& shared, const IndexOverlay& o, const float* q, int k,
                                         const std::string* tenant, int nprobe_override,
                                         const IvfIndex::FetchFn& fetch, bool& ok);

 private:
  // The rows of ids, checked as load() checks them against `nlist` lists.
  std::vector<IndexRow> read_rows(const std::vector<int64_t>& ids, bool codes, int nlist);
  void check_row(int64_t id, int list, size_t bytes, bool codes, int nlist) const;

  IndexSource& src_;
  std::string table_;
  int dim_;
  bool sq8_;
};

}  // namespace iccache::index
