#include "ext/manage/manage_store.h"

#include "ext/store/storage.h"

namespace iccache::ext {

const char* const kManageDataColumns =
    ", quality_ema REAL NOT NULL DEFAULT 0, ema_count INTEGER NOT NULL DEFAULT 0,"
    " replays INTEGER NOT NULL DEFAULT 0, prev_quality REAL, replayed_at REAL,"
    " value REAL NOT NULL DEFAULT 1, recent_uses REAL NOT NULL DEFAULT 0, decay_at REAL";

namespace {

std::string name(const std::string& table, const char* suffix) { return table + "_" + suffix; }

// Versions before format 1.1 kept T_state 'bytes' with these triggers on T_data. SQLite
// refuses triggers on shadow tables in defensive mode (better-sqlite3, recent Python builds
// turn it on), and such a file cannot even be opened there, so the total is now kept by
// Storage's write path and old files lose the triggers (drop_legacy_triggers).
constexpr const char* kLegacyTriggers[] = {"bytes_insert", "bytes_delete", "bytes_update"};

void drop_triggers(sqlite3* db, const std::string& schema, const std::string& table) {
  for (const char* t : kLegacyTriggers)
    exec(db, "DROP TRIGGER IF EXISTS " + quote_id(schema) + "." + quote_id(name(table, t)));
}

// The replay queue as a view, so `SELECT ... FROM ex_replay WHERE replay_cost = 0.2 LIMIT 5`
// reads like a table; the view is flattened, so both reach iccache_replay's xBestIndex. It
// passes its own table's identity so that in an attached database it reads that table
// (registry.h), and shows the tenant so that `WHERE tenant = 'a'` narrows it.
void create_view(sqlite3* db, const std::string& schema, const std::string& table) {
  exec(db, "CREATE VIEW " + quote_id(schema) + "." + quote_id(name(table, "replay")) +
               " AS SELECT rowid, request, gain, expected_gain, uses, offloads, quality,"
               " quality_ema, replays, value, bytes, replay_cost, now, tenant FROM iccache_replay(" +
               quote_literal(table) + ") WHERE table_identity = (SELECT value FROM " +
               quote_id(name(table, "state")) + " WHERE key = 'identity')");
}

void drop_view(sqlite3* db, const std::string& schema, const std::string& table) {
  exec(db, "DROP VIEW IF EXISTS " + quote_id(schema) + "." + quote_id(name(table, "replay")));
}

}  // namespace

void create_manage_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  Storage s(db, schema, table);
  exec(db, "INSERT INTO " + s.shadow("state") + " VALUES('bytes', 0)");
  create_view(db, schema, table);
}

void drop_manage_schema(sqlite3* db, const std::string& schema, const std::string& table) {
  drop_view(db, schema, table);
  drop_triggers(db, schema, table);
}

void rename_manage_schema(sqlite3* db, const std::string& schema, const std::string& from,
                          const std::string& to) {
  drop_manage_schema(db, schema, from);
  create_view(db, schema, to);
}

void drop_legacy_triggers(sqlite3* db, const std::string& schema, const std::string& table) {
  if (sqlite3_db_readonly(db, schema.c_str()) == 1) return;
  Stmt s(db, "SELECT count(*) FROM " + quote_id(schema) + ".sqlite_schema WHERE type = 'trigger'"
             " AND name IN (?, ?, ?)");
  // bind_text does not copy (SQLITE_STATIC): the names must outlive the statement's step.
  const std::string names[3] = {name(table, kLegacyTriggers[0]), name(table, kLegacyTriggers[1]),
                                name(table, kLegacyTriggers[2])};
  for (int i = 0; i < 3; ++i) s.bind_text(i + 1, names[i]);
  if (!s.step() || s.int64(0) == 0) return;
  s.reset();
  try {
    drop_triggers(db, schema, table);
  } catch (const SqlError&) {
    // Busy or locked: the next connect tries again; the triggers do no harm meanwhile, since
    // the write path overwrites the total they adjust (storage.cpp).
  }
}

ManageStore::ManageStore(Storage& storage) : storage_(&storage) {}

bool ManageStore::read(int64_t id, manage::ExampleStats& out) {
  Stmt& s = cached(storage_->db(), read_, [&] {
    return "SELECT uses, offloads, gain, quality_ema, ema_count, value, recent_uses,"
           " coalesce(decay_at, created_at) FROM " + storage_->shadow("data") + " WHERE id = ?";
  });
  ResetOnExit done(s);
  if (!s.bind(1, id).step()) return false;
  out.uses = s.int64(0);
  out.offloads = s.int64(1);
  out.gain = s.real(2);
  out.quality_ema = s.real(3);
  out.ema_count = s.int64(4);
  out.value = s.real(5);
  out.recent_uses = s.real(6);
  out.decay_at = s.real(7);
  return true;
}

void ManageStore::write(int64_t id, const manage::ExampleStats& s) {
  cached(storage_->db(), write_, [&] {
    return "UPDATE " + storage_->shadow("data") +
           " SET uses = ?1, offloads = ?2, gain = ?3, quality_ema = ?4, ema_count = ?5,"
           " value = ?6, recent_uses = ?7, decay_at = ?8 WHERE id = ?9";
  })
      .bind(1, s.uses)
      .bind(2, s.offloads)
      .bind(3, s.gain)
      .bind(4, s.quality_ema)
      .bind(5, s.ema_count)
      .bind(6, s.value)
      .bind(7, s.recent_uses)
      .bind(8, s.decay_at)
      .bind(9, id)
      .run();
}

int64_t ManageStore::total_bytes() {
  Stmt& s = cached(storage_->db(), total_bytes_, [&] {
    return "SELECT value FROM " + storage_->shadow("state") + " WHERE key = 'bytes'";
  });
  ResetOnExit done(s);
  if (!s.step())
    throw SqlError(SQLITE_CORRUPT_VTAB, storage_->table() + ": the state table has no 'bytes' row");
  return s.int64(0);
}

int64_t ManageStore::tenant_bytes(const std::string& tenant) {
  Stmt& s = cached(storage_->db(), tenant_bytes_, [&] {
    return "SELECT total(bytes) FROM " + storage_->shadow("data") + " WHERE tenant = ?";
  });
  ResetOnExit done(s);
  s.bind_text(1, tenant).step();
  return static_cast<int64_t>(s.real(0));
}

std::vector<manage::EvictionCandidate> ManageStore::eviction_candidates(const std::string* tenant) {
  std::vector<manage::EvictionCandidate> out;
  Stmt& s = cached(storage_->db(), tenant ? tenant_candidates_ : candidates_, [&] {
    return "SELECT id, bytes, value, coalesce(decay_at, created_at) FROM " +
           storage_->shadow("data") + (tenant ? " WHERE tenant = ?" : "") + " ORDER BY id";
  });
  ResetOnExit done(s);
  if (tenant) s.bind_text(1, *tenant);
  while (s.step()) out.push_back({s.int64(0), s.int64(1), s.real(2), s.real(3), false});
  return out;
}

double ManageStore::quality(int64_t id) {
  Stmt& s = cached(storage_->db(), quality_, [&] {
    return "SELECT quality FROM " + storage_->shadow("data") + " WHERE id = ?";
  });
  ResetOnExit done(s);
  if (!s.bind(1, id).step())
    throw SqlError(SQLITE_CORRUPT_VTAB, storage_->table() + ": example " + std::to_string(id) +
                                            " is missing from " + storage_->table() + "_data");
  return s.real(0);
}

void ManageStore::record_replay(int64_t id, double prev_quality, double time) {
  manage::ExampleStats s;
  if (!read(id, s)) return;
  manage::reset_after_replay(s);
  write(id, s);
  cached(storage_->db(), replay_, [&] {
    return "UPDATE " + storage_->shadow("data") +
           " SET replays = replays + 1, prev_quality = ?1, replayed_at = ?2 WHERE id = ?3";
  })
      .bind(1, prev_quality)
      .bind(2, time)
      .bind(3, id)
      .run();
}

}  // namespace iccache::ext
