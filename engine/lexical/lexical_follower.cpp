#include "lexical/lexical_follower.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "codec/text_codec.h"
#include "common/cache_choice.h"
#include "common/error.h"

namespace iccache::lexical {

bool idf_count_due(int64_t counted, int64_t n) {
  const int64_t grow = counted < static_cast<int64_t>(IdfTable::kSample) ? 2 : 4;
  return counted == 0 ? n >= 1 : (n >= grow * counted || (counted >= 64 && 4 * n <= counted));
}

std::string LexicalFollower::decoded(int64_t id, int enc, std::string_view bytes) const {
  try {
    return decode_text(enc, bytes);
  } catch (const Error& e) {
    throw CorruptData(table_ + ": the request of example " + std::to_string(id) + " " + e.what());
  }
}

IdfTable LexicalFollower::stored_idf() {
  std::optional<std::string> blob = src_.idf_counts();
  if (!blob) return {};
  try {
    IdfTable idf = IdfTable::parse(*blob);
    if (idf.terms_version() != Featurizer::kVersion) return count_idf(src_.examples());
    return idf;
  } catch (const Error& e) {
    throw CorruptData(table_ + ": " + e.what() + " (run INSERT INTO " + table_ + "(" + table_ +
                      ") VALUES('optimize') to count them again)");
  }
}

IdfTable LexicalFollower::count_idf(int64_t n) {
  const auto step = static_cast<int64_t>((n + IdfTable::kSample - 1) / IdfTable::kSample);
  IdfTable::Counter counter;
  std::vector<Term> terms;
  int64_t i = 0;
  src_.for_each_request([&](int64_t id, int enc, std::string_view bytes, std::string_view) {
    const int64_t at = i++;
    if (step > 1 && at % step != 0) return;
    featurizer_.terms(decoded(id, enc, bytes), terms);
    counter.add(terms);
  });
  return counter.finish(static_cast<uint64_t>(std::max<int64_t>(n, 0)));
}

void LexicalFollower::load(LexicalCache& c, int64_t g) {
  const auto t0 = std::chrono::steady_clock::now();
  LexicalIndex index(stored_idf());
  std::vector<Term> terms;
  index.hold_merges(true);  // one merge into the flat layout at the end
  src_.for_each_request([&](int64_t id, int enc, std::string_view bytes, std::string_view tenant) {
    featurizer_.terms(decoded(id, enc, bytes), terms);
    index.add(id, tenant, terms);
  });
  index.hold_merges(false);
  std::optional<Change> last = src_.log().last();
  std::unique_lock lock(c.mu);
  c.index = std::move(index);
  c.loaded = true;
  c.gen = g;
  c.seq = last && last->gen == g ? last->seq : -1;
  ++c.reloads;
  c.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<LexicalFollower::Row> LexicalFollower::read_rows(const std::vector<int64_t>& ids) {
  std::vector<Row> rows;
  rows.reserve(ids.size());
  for (const StoredRequest& s : src_.requests(ids)) {
    Row& r = rows.emplace_back();
    r.id = s.id;
    r.present = s.present;
    if (!s.present) continue;
    r.tenant = s.tenant;
    featurizer_.terms(decoded(s.id, s.enc, s.bytes), r.terms);
  }
  return rows;
}

void LexicalFollower::catch_up(LexicalCache& c, int64_t g, bool committed_only) {
  // New IDF counts move every weight: reload.
  catch_up_cache(c, src_.log(), g, committed_only, ChangeKind::kIdf, [&] { load(c, g); },
                 [&](const std::vector<Change>& entries) {
                   // Read and featurize the changed rows outside the exclusive lock, then apply them.
                   std::vector<Row> rows = read_rows(changed_examples(entries, false));
                   std::unique_lock lock(c.mu);
                   for (const Row& r : rows) {
                     if (r.present) c.index.add(r.id, r.tenant, r.terms);
                     else c.index.remove(r.id);
                   }
                   return lock;
                 });
}

bool LexicalFollower::update_overlay(LexicalOverlay& o, const LexicalCache& shared, int64_t g) {
  auto derive = [&]() -> std::optional<LogPosition> {
    std::shared_ptr<const IdfTable> idf;
    LogPosition at;
    {
      std::shared_lock lock(shared.mu);
      if (!shared.loaded || shared.seq < 0) return std::nullopt;
      at = {shared.seq, shared.gen};
      idf = shared.index.idf_ptr();
    }
    o.base_seq = at.seq;
    o.idf = idf;
    o.rows = LexicalIndex(std::move(idf));  // scored with the shared index's counts
    return at;
  };
  return follow_overlay(o, src_.log(), g, ChangeKind::kIdf, derive, [](const Change&) {},
                        [&](const std::vector<int64_t>& ids) {
                          for (const Row& r : read_rows(ids)) {
                            o.changed.insert(r.id);
                            if (r.present) o.rows.add(r.id, r.tenant, r.terms);
                            else o.rows.remove(r.id);
                          }
                        });
}

std::vector<index::Hit> LexicalFollower::search_overlay(const LexicalCache& shared, const LexicalOverlay& o,
                                                        const std::vector<Term>& query, int k,
                                                        const std::string* tenant, int nprobe, bool& ok) {
  std::shared_lock lock(shared.mu);
  // The shared index may have moved on since the overlay was derived, but only along
  // committed entries this transaction sees, and with the same IDF counts.
  ok = shared.loaded && shared.seq >= o.base_seq && shared.index.idf_ptr() == o.idf;
  if (!ok) return {};
  std::vector<index::Hit> hits =
      shared.index.search(query, k, tenant, nprobe, nullptr, o.changed.empty() ? nullptr : &o.changed);
  lock.unlock();
  if (o.rows.size() == 0) return hits;
  std::vector<index::Hit> mine = o.rows.search(query, k, tenant, nprobe);
  hits.insert(hits.end(), mine.begin(), mine.end());
  std::sort(hits.begin(), hits.end(), index::better_hit);
  if (hits.size() > static_cast<size_t>(k)) hits.resize(k);
  return hits;
}

// Which lexical index answers: the vector index's rule (common/cache_choice.h).
std::vector<index::Hit> LexicalFollower::search(ConnectionLexical ix, int64_t g, bool in_write,
                                                const std::vector<Term>& query, int k, const std::string* tenant,
                                                int nprobe, bool& exact) {
  std::vector<index::Hit> hits;
  LexicalCache* use = answering_cache(in_write, g, ix, *this, [&] {
    bool ok = false;
    hits = search_overlay(ix.cache, ix.overlay, query, k, tenant, nprobe, ok);
    return ok;
  });
  if (!use) {  // the shared index and the overlay answered
    exact = true;
    return hits;
  }
  std::shared_lock lock(use->mu);
  exact = use->gen == g;
  return use->index.search(query, k, tenant, nprobe);
}

}  // namespace iccache::lexical
