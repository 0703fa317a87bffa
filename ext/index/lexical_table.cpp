// The lexical index of a table with text_index='lexical' (docs/selection.md, "Lexical
// similarity"): what is stored, how an index follows the tables, and the MATCH search.
//
// Stored: nothing per example beyond the request text already in T_data. The in-memory
// postings are rebuilt from those texts when an index loads, and follow later writes
// through the change log (change_log.h), like the vector index (table_index.cpp). What the
// texts alone cannot give is the IDF: counts taken at one moment (lexical/idf.h), kept in
// T_idf (lexical_idf_store.h) with the example count they were taken at (T_state
// 'lexical_n'), so every
// connection and process scores with the same weights. A write recounts when the count
// has moved far from it (maybe_count_idf), inside its transaction, and appends a kIdf entry:
// every index then reloads. A rollback takes the counts and the entry back together.
// The counts name the featurizer version whose terms they counted (IdfTable::terms_version):
// counts of another version are counted again in memory when an index loads (same texts,
// same counts in every connection) and stored by the next write.
//
// Shared: connections of one process on the same file and table search one index (the
// registry's LexicalCache, index_registry.h), caught up in committed-only mode; inside a
// write transaction a connection adds its overlay of changed rows, or, when that cannot
// serve (a new IDF count inside the transaction, too many changes, nothing loaded yet),
// a private index handed to the shared one after commit. The rules are the vector index's
// (table_index.cpp; docs/architecture.md "Many connections, one index").
#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "codec/text_codec.h"
#include "ext/index/cache_choice.h"
#include "ext/index/lexical_idf_store.h"
#include "common/utf8.h"
#include "ext/table/vtab.h"
#include "privacy/pii_scanner.h"

namespace iccache::ext {

namespace {
// As catch_up_limit in table_index.cpp: past this many changes a reload is cheaper.
size_t lexical_catch_up_limit(size_t index_size) { return std::max<size_t>(2000, index_size / 5); }

std::string decoded(Table& t, int64_t id, int enc, std::string_view bytes) {
  try {
    return decode_text(enc, bytes);
  } catch (const Error& e) {
    throw SqlError(SQLITE_CORRUPT_VTAB, t.name + ": the request of example " + std::to_string(id) + " " + e.what());
  }
}
}  // namespace

bool Table::lexical_on() const { return options.text_index == TextIndex::kLexical; }

lexical::IdfTable Table::stored_idf() {
  std::optional<std::string> blob = IdfStore(storage).read();
  if (!blob) return {};
  try {
    lexical::IdfTable idf = lexical::IdfTable::parse(*blob);
    if (idf.terms_version() != lexical::Featurizer::kVersion) return idf_counts(storage.count());
    return idf;
  } catch (const Error& e) {
    throw SqlError(SQLITE_CORRUPT_VTAB, name + ": " + e.what() + " (run INSERT INTO " + name + "(" + name +
                                            ") VALUES('optimize') to count them again)");
  }
}

lexical::IdfTable Table::idf_counts(int64_t n) {
  // At most kSample texts, evenly spread in id order: bounded time at any size, and the
  // same counts from the same contents.
  const auto step = static_cast<int64_t>((n + lexical::IdfTable::kSample - 1) / lexical::IdfTable::kSample);
  lexical::IdfTable::Counter counter;
  Stmt s(db, "SELECT id, request, request_enc FROM " + storage.shadow("data") + " ORDER BY id");
  std::vector<lexical::Term> terms;
  for (int64_t i = 0; s.step(); ++i) {
    if (step > 1 && i % step != 0) continue;
    featurizer.terms(decoded(*this, s.int64(0), static_cast<int>(s.int64(2)), s.blob(1)), terms);
    counter.add(terms);
  }
  return counter.finish(static_cast<uint64_t>(std::max<int64_t>(n, 0)));
}

void Table::count_idf(int64_t n) {
  IdfStore(storage).write(idf_counts(n).serialize());
  storage.set_state_int("lexical_n", n);
  record_change(ChangeKind::kIdf, 0, 0);
}

void Table::maybe_count_idf(int64_t n) {
  if (!lexical_on()) return;
  if (!idf_n_stmt_)
    idf_n_stmt_ = Stmt(db, "SELECT value FROM " + storage.shadow("state") + " WHERE key = 'lexical_n'");
  idf_n_stmt_.reset();
  int64_t counted = idf_n_stmt_.step() ? idf_n_stmt_.int64(0) : 0;
  idf_n_stmt_.reset();
  // Counts of another featurizer version are taken again now; counts an earlier version
  // left in T_state move to T_idf (lexical_idf_store.h). Checked until both hold, then no
  // more in this connection.
  if (!idf_terms_current_) {
    IdfStore store(storage);
    const std::optional<std::string> header = store.header();
    idf_terms_current_ = header && *header == "IDF" + std::to_string(lexical::Featurizer::kVersion);
    if (!idf_terms_current_) counted = 0;
    else store.migrate();
  }
  // Doubling while the counts read every text, then every 4x (a count reads at most kSample
  // texts, and each one makes every index reload); and when the table shrank to a quarter.
  const int64_t grow = counted < static_cast<int64_t>(lexical::IdfTable::kSample) ? 2 : 4;
  if (counted == 0 ? n >= 1 : (n >= grow * counted || (counted >= 64 && 4 * n <= counted))) count_idf(n);
}

void Table::load_lexical(LexicalCache& c, int64_t g) {
  const auto t0 = std::chrono::steady_clock::now();
  lexical::LexicalIndex index(stored_idf());
  Stmt s(db, "SELECT id, request, request_enc, tenant FROM " + storage.shadow("data") + " ORDER BY id");
  std::vector<lexical::Term> terms;
  index.hold_merges(true);  // one merge into the flat layout at the end
  while (s.step()) {
    const int64_t id = s.int64(0);
    featurizer.terms(decoded(*this, id, static_cast<int>(s.int64(2)), s.blob(1)), terms);
    index.add(id, s.text(3), terms);
  }
  index.hold_merges(false);
  std::optional<Change> last = log.last();
  std::unique_lock lock(c.mu);
  c.index = std::move(index);
  c.loaded = true;
  c.gen = g;
  c.seq = last && last->gen == g ? last->seq : -1;
  ++c.reloads;
  c.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<Table::LexicalRow> Table::read_lexical_rows(const std::vector<int64_t>& ids) {
  if (!lex_row_stmt_)
    lex_row_stmt_ = Stmt(db, "SELECT request, request_enc, tenant FROM " + storage.shadow("data") + " WHERE id = ?");
  return rows_by_id<LexicalRow>(lex_row_stmt_, ids, [&](LexicalRow& r) {
    const std::string text = decoded(*this, r.id, static_cast<int>(lex_row_stmt_.int64(1)), lex_row_stmt_.blob(0));
    r.tenant = lex_row_stmt_.text(2);
    featurizer.terms(text, r.terms);
  });
}

void Table::catch_up_lexical(LexicalCache& c, int64_t g, bool committed_only) {
  // Caller holds c.update_mu. The rule: common/change_feed.h plan_catch_up; new IDF counts
  // move every weight.
  const CatchUp plan = plan_catch_up(log, log_position(c), g, committed_only,
                                     lexical_catch_up_limit(c.index.size()), ChangeKind::kIdf);
  if (plan.kind == CatchUp::kKeep) return;
  if (plan.kind == CatchUp::kReload) return load_lexical(c, g);
  const std::vector<Change>& entries = plan.entries;
  const std::vector<int64_t> ids = changed_examples(entries, false);
  // Read and featurize the changed rows outside the exclusive lock, then apply them.
  std::vector<LexicalRow> rows = read_lexical_rows(ids);
  std::unique_lock lock(c.mu);
  for (const LexicalRow& r : rows) {
    if (r.present) c.index.add(r.id, r.tenant, r.terms);
    else c.index.remove(r.id);
  }
  c.seq = entries.back().seq;
  c.gen = g;
  c.applied_changes += static_cast<int64_t>(entries.size());
}

void Table::sync_lexical(LexicalCache& c, int64_t g, bool committed_only) {
  sync_cache(c, g, [&] { catch_up_lexical(c, g, committed_only); });
}

bool Table::update_lexical_overlay(int64_t g) {
  // As update_overlay (table_index.cpp), plus: a new IDF count since the shared index's
  // entry moves every weight, so the overlay cannot serve.
  LexicalOverlay& o = lexical_overlay;
  if (o.valid && o.last_gen == g) return true;
  int64_t from = 0, base_gen = 0;
  if (o.valid && log.gen_at(o.last_seq) == o.last_gen) {
    from = o.last_seq;
  } else {
    o.clear();
    int64_t base_seq = 0;
    std::shared_ptr<const lexical::IdfTable> idf;
    {
      std::shared_lock lock(lexical->mu);
      if (!lexical->loaded || lexical->seq < 0) return false;
      base_seq = lexical->seq;
      base_gen = lexical->gen;
      idf = lexical->index.idf_ptr();
    }
    if (log.gen_at(base_seq) != base_gen) return false;
    o.base_seq = base_seq;
    o.idf = idf;
    o.rows = lexical::LexicalIndex(std::move(idf));
    from = base_seq;
  }
  std::vector<Change> entries;
  const size_t limit = lexical_catch_up_limit(0);
  if (!log.after(from, limit, entries) ||
      (entries.empty() ? from != o.base_seq || g != base_gen : entries.back().gen != g)) {
    o.clear();
    return false;
  }
  std::vector<int64_t> ids;
  for (const Change& e : entries) {
    if (e.kind == ChangeKind::kIdf) {
      o.clear();
      return false;
    }
    if (e.kind == ChangeKind::kExample) ids.push_back(e.id);
  }
  if (o.changed.size() + ids.size() > limit) {
    o.clear();
    return false;
  }
  for (const LexicalRow& r : read_lexical_rows(ids)) {
    o.changed.insert(r.id);
    if (r.present) o.rows.add(r.id, r.tenant, r.terms);
    else o.rows.remove(r.id);
  }
  o.last_seq = entries.empty() ? from : entries.back().seq;
  o.last_gen = g;
  o.valid = true;
  return true;
}

std::vector<index::Hit> Table::search_lexical_overlay(int k, const std::string* tenant, int nprobe, bool& ok) {
  LexicalOverlay& o = lexical_overlay;
  std::shared_lock lock(lexical->mu);
  // The shared index may have moved on since the overlay was derived, but only along
  // committed entries this transaction sees, and with the same IDF counts.
  ok = lexical->loaded && lexical->seq >= o.base_seq && lexical->index.idf_ptr() == o.idf;
  if (!ok) return {};
  std::vector<index::Hit> hits =
      lexical->index.search(query_terms_, k, tenant, nprobe, nullptr, o.changed.empty() ? nullptr : &o.changed);
  lock.unlock();
  if (o.rows.size() == 0) return hits;
  std::vector<index::Hit> mine = o.rows.search(query_terms_, k, tenant, nprobe);
  hits.insert(hits.end(), mine.begin(), mine.end());
  std::sort(hits.begin(), hits.end(), index::better_hit);
  if (hits.size() > static_cast<size_t>(k)) hits.resize(k);
  return hits;
}

// Which lexical index answers: the vector index's rule (cache_choice.h).
std::vector<index::Hit> Table::search_lexical(std::string_view text, int k, const std::string* tenant, int nprobe) {
  resolve_cache();
  const int64_t g = storage.generation();
  searched_generation = g;
  // As embed_query: under pii='redact' or 'reject' the query is redacted first, so it is
  // matched as a stored example holding it would have been.
  std::string redacted;
  if (options.pii != PiiMode::kOff && redact_pii(text, &redacted)) text = redacted;
  featurizer.terms(text, query_terms_);
  std::vector<index::Hit> hits;
  LexicalCache* use = answering_cache(
      db, storage.schema(), g, *lexical, lexical_shared, lexical_own,
      CacheSteps{[&](LexicalCache& c, bool committed_only) { sync_lexical(c, g, committed_only); },
                 [](LexicalCache& shared, LexicalCache& built) { offer_lexical(shared, built); },
                 [&] { lexical_overlay.clear(); },
                 [&] {
                   bool ok = false;
                   if (update_lexical_overlay(g)) hits = search_lexical_overlay(k, tenant, nprobe, ok);
                   return ok;
                 },
                 [] { return std::make_shared<LexicalCache>(); }});
  if (!use) {  // the shared index and the overlay answered
    search_exact = true;
    return hits;
  }
  std::shared_lock lock(use->mu);
  search_exact = use->gen == g;
  return use->index.search(query_terms_, k, tenant, nprobe);
}

}  // namespace iccache::ext
