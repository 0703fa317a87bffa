#include "ext/store/change_log.h"

#include "common/clock.h"
#include "index/training_lock.h"

#include "ext/store/storage.h"

namespace iccache::ext {

ChangeLog::ChangeLog(const Storage& storage)
    : db_(storage.db()), schema_(storage.schema()), table_(storage.table()), log_(storage.shadow("changes")) {}

void ChangeLog::create(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  Stmt(db, "CREATE TABLE IF NOT EXISTS " + s.shadow("changes") +
               "(seq INTEGER PRIMARY KEY, id INTEGER, kind INTEGER NOT NULL, gen INTEGER NOT NULL,"
               " n INTEGER NOT NULL, time REAL NOT NULL)")
      .run();
}

bool ChangeLog::exists() {
  if (exists_) return true;
  exists_ = table_exists(db_, schema_, table_ + "_changes");
  return exists_;
}

std::optional<Change> ChangeLog::last() {
  if (!exists()) return std::nullopt;
  Stmt& s = cached(db_, last_, "SELECT seq, id, kind, gen, n FROM " + log_ + " ORDER BY seq DESC LIMIT 1");
  std::optional<Change> out;
  if (s.step())
    out = Change{s.int64(0), s.int64(1), static_cast<ChangeKind>(s.int64(2)), s.int64(3), s.int64(4)};
  s.reset();
  return out;
}

std::optional<int64_t> ChangeLog::gen_at(int64_t seq) {
  if (!exists()) return std::nullopt;
  Stmt& s = cached(db_, gen_at_, "SELECT gen FROM " + log_ + " WHERE seq = ?");
  std::optional<int64_t> out;
  if (s.bind(1, seq).step()) out = s.int64(0);
  s.reset();
  return out;
}

int64_t ChangeLog::min_seq() {
  if (!exists()) return 0;
  return cached(db_, min_, "SELECT seq FROM " + log_ + " ORDER BY seq LIMIT 1").one_int64();
}

bool ChangeLog::after(int64_t seq, size_t limit, std::vector<Change>& out) {
  out.clear();
  if (!exists()) return true;
  Stmt& s = cached(db_, after_, "SELECT seq, id, kind, gen, n FROM " + log_ + " WHERE seq > ? ORDER BY seq");
  s.bind(1, seq);
  bool complete = true;
  while (s.step()) {
    if (out.size() >= limit) {
      complete = false;
      break;
    }
    out.push_back(Change{s.int64(0), s.int64(1), static_cast<ChangeKind>(s.int64(2)), s.int64(3), s.int64(4)});
  }
  s.reset();
  return complete;
}

Change ChangeLog::append_row(ChangeKind kind, int64_t id, int64_t gen, int64_t n) {
  if (!exists()) {
    create(db_, schema_, table_);
    exists_ = true;
  }
  Stmt& s = cached(db_, append_, "INSERT INTO " + log_ + "(id, kind, gen, n, time) VALUES(?, ?, ?, ?, ?)");
  if (kind == ChangeKind::kExample || kind == ChangeKind::kStats) s.bind(1, id);
  s.bind(2, static_cast<int64_t>(kind)).bind(3, gen).bind(4, n).bind(5, wall_clock_now()).run();
  return Change{sqlite3_last_insert_rowid(db_), id, kind, gen, n};
}

void ChangeLog::prune(int64_t keep, double max_age) {
  std::optional<Change> newest = last();
  if (!newest) return;
  // A background training applies the changes made since its snapshot from this log
  // (engine/index/staged_write.h): the entries from 'training_log_seq' on stay while its
  // lock row is younger than the lock's lease (an hour, engine/index/training_lock.h), else it
  // would have to re-read every example while holding the write lock.
  const std::string state = quote_id(schema_) + "." + quote_id(table_ + "_state");
  const int64_t pinned =
      Stmt(db_, "SELECT (SELECT value FROM " + state + " WHERE key = 'training_log_seq') WHERE (SELECT value FROM " +
                    state + " WHERE key = 'training_since') > ?")
          .bind(1, wall_clock_now() - index::kLockLeaseSeconds)
          .one_int64(newest->seq);
  Stmt(db_, "DELETE FROM " + log_ + " WHERE seq < ?1 AND (seq <= ?1 - ?2 OR time < ?3) AND seq < ?4")
      .bind(1, newest->seq)
      .bind(2, keep)
      .bind(3, wall_clock_now() - max_age)
      .bind(4, pinned)
      .run();
}

int64_t ChangeLog::size() {
  if (!exists()) return 0;
  return Stmt(db_, "SELECT count(*) FROM " + log_).one_int64();
}

}  // namespace iccache::ext
