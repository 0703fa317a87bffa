// The change log: one row per write, appended inside the writing transaction, so that an
// in-memory index that reflects the tables at change c can follow later writes by reading
// only the rows of the examples they changed instead of reloading everything.
//
//   T_changes(seq INTEGER PRIMARY KEY, id, kind, gen, n, time)
//     seq   position in the log (the rowid: max + 1, so it grows with committed history)
//     id    the example written (kinds 0 and 4), NULL for the other kinds
//     kind  0 example inserted, updated or deleted (its rows say which); 1 new epoch:
//           training or repair rewrote every list, readers reload; 2 settings (nprobe);
//           3 new IDF counts of the lexical index (lexical/lexical_follower.h): readers reload;
//           4 the example's statistics (uses, offloads, quality) changed by feedback:
//           only selection's attribute cache forgets it (select/attribute_follower.h)
//     gen   the random generation nonce this write stored in T_state
//     n     number of examples after the write (the automatic-training check reads it)
//     time  seconds since 1970, for pruning by age
//
// Why a random nonce per entry and not the sequence alone: a rolled-back transaction takes
// its rows with it, and the next write reuses the same seq. An index that applied the
// rolled-back entry (a connection's private index applies its own uncommitted writes)
// remembers (seq, gen); the row at seq now carries another gen, so the index sees that
// its state left history and reloads. Nonces are 63-bit random values, never reused.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "common/change_feed.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

class Storage;

// ChangeKind and Change are the engine's (common/change_feed.h): its caches follow the log.
class ChangeLog : public ChangeFeed {
 public:
  explicit ChangeLog(const Storage& storage);

  // CREATE TABLE IF NOT EXISTS: files made before the log get it at their first write.
  static void create(sqlite3* db, const std::string& schema, const std::string& table);

  // Whether the table exists in this connection's view (true is remembered).
  bool exists() override;
  // The newest entry, if any.
  std::optional<Change> last() override;
  // gen of entry seq, or nullopt when there is no such row.
  std::optional<int64_t> gen_at(int64_t seq) override;
  // Smallest seq kept (0 when empty).
  int64_t min_seq();
  // Entries after seq in order into out; false (out partial) when there are more than limit.
  bool after(int64_t seq, size_t limit, std::vector<Change>& out) override;
  // Appends an entry (creating the table when missing) and prunes now and then. n_delta:
  // +1 insert, -1 delete, 0 otherwise; `count_now` gives the example count after the write
  // when the log has no entry yet to add the delta to.
  template <class CountFn>
  Change append(ChangeKind kind, int64_t id, int64_t gen, int64_t n_delta, CountFn&& count_now) {
    std::optional<Change> prev = exists() ? last() : std::nullopt;
    const int64_t n = prev ? prev->n + n_delta : count_now();
    return append_row(kind, id, gen, n);
  }
  // Deletes entries beyond the newest `keep` and those older than max_age seconds (the
  // newest entry always stays, so every reader can check where it stands).
  void prune(int64_t keep, double max_age);
  // Rows kept now (for ex_stats and tests).
  int64_t size();

 private:
  Change append_row(ChangeKind kind, int64_t id, int64_t gen, int64_t n);

  sqlite3* db_;
  std::string schema_, table_, log_;
  bool exists_ = false;
  Stmt last_, gen_at_, after_, append_, min_;
};

}  // namespace iccache::ext
