// How a table's in-memory lexical index (lexical_cache.h) follows the shadow tables, and
// which index answers a text MATCH: the vector index's rules (index/index_follower.h,
// common/cache_choice.h), over the request texts of T_data and the IDF counts of T_idf.
//
// Stored: nothing per example beyond the request text already in T_data. The postings are
// rebuilt from those texts when an index loads, and follow later writes through the change
// log: only the examples named by new entries are re-read. What the texts alone cannot give
// is the IDF: counts taken at one moment (idf.h), stored with the example count they were
// taken at, so every connection and process scores with the same weights. A write recounts
// when the count has moved far from it (idf_count_due), inside its transaction, and appends
// a kIdf entry: every index then reloads, and an overlay cannot serve (every weight moves).
// The counts name the featurizer version whose terms they counted (IdfTable::terms_version):
// counts of another version are counted again in memory when an index loads (same texts,
// same counts in every connection) and stored by the next write.
//
// The texts come through LexicalSource, which ext/index/lexical_table.cpp implements with
// SQL.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cache_choice.h"
#include "common/change_feed.h"
#include "lexical/lexical_cache.h"

namespace iccache::lexical {

// One example's request as stored: its encoded text (codec/text_codec.h) and tenant.
struct StoredRequest : ChangedRow {
  int enc = 0;
  std::string bytes;
  std::string tenant;
};

// What following the tables reads, as of the caller's view of the file.
class LexicalSource {
 public:
  virtual ~LexicalSource() = default;
  virtual ChangeFeed& log() = 0;
  // The stored IDF counts (IdfTable::serialize), none when never counted.
  virtual std::optional<std::string> idf_counts() = 0;
  // The number of examples now.
  virtual int64_t examples() = 0;
  // Every example's request and tenant in id order: fn(id, enc, bytes, tenant).
  virtual void for_each_request(
      const std::function<void(int64_t, int, std::string_view, std::string_view)>& fn) = 0;
  // The current requests of ids, one per id in order.
  virtual std::vector<StoredRequest> requests(const std::vector<int64_t>& ids) = 0;
};

// Whether a write that leaves n examples counts the IDF again, the stored counts having been
// taken at `counted` examples (0: never, or of another featurizer version): doubling while
// the counts read every text, then every 4x (a count reads at most IdfTable::kSample texts,
// and each one makes every index reload); and when the table shrank to a quarter.
bool idf_count_due(int64_t counted, int64_t n);

// A connection's lexical indexes of one table (common/cache_choice.h).
using ConnectionLexical = ConnectionCaches<LexicalCache, LexicalOverlay>;

class LexicalFollower {
 public:
  // table: the table's name, for the error messages of damaged rows.
  LexicalFollower(LexicalSource& source, Featurizer& featurizer, std::string table)
      : src_(source), featurizer_(featurizer), table_(std::move(table)) {}

  // Top-k for the query's terms for generation g of the caller's view (in_write: inside a
  // write transaction); nprobe: lexical_index.h's min_lists. exact: whether the index
  // searched reflects exactly generation g.
  std::vector<index::Hit> search(ConnectionLexical ix, int64_t g, bool in_write, const std::vector<Term>& query,
                                 int k, const std::string* tenant, int nprobe, bool& exact);

  // The stored IDF counts (empty when none), counted again from the texts when they are
  // of another featurizer version. Throws CorruptData for counts that do not parse.
  IdfTable stored_idf();
  // Counts taken now from the stored texts for a table of n examples: at most
  // IdfTable::kSample texts, evenly spread in id order (bounded time at any size, and the
  // same counts from the same contents).
  IdfTable count_idf(int64_t n);

  // Reloads c from the tables as of generation g. Throws CorruptData for a request that
  // does not decode.
  void load(LexicalCache& c, int64_t g);
  // Brings c to generation g: applies the changed rows or reloads (plan_catch_up; new IDF
  // counts reload). The caller holds c.update_mu; committed_only: c is the shared index.
  void catch_up(LexicalCache& c, int64_t g, bool committed_only);
  // As index::IndexFollower::update_overlay, plus: a new IDF count since the shared index's
  // entry moves every weight, so the overlay cannot serve.
  bool update_overlay(LexicalOverlay& o, const LexicalCache& shared, int64_t g);
  // The shared index's answer without the overlay's ids merged with the overlay's rows; ok
  // false when the shared index has left the state (or IDF counts) it was derived from.
  // The steps answering_cache (common/cache_choice.h) takes besides those above.
  static std::shared_ptr<LexicalCache> make_cache() { return std::make_shared<LexicalCache>(); }
  static void offer(LexicalCache& shared, LexicalCache& built) { offer_lexical(shared, built); }

  static std::vector<index::Hit> search_overlay(const LexicalCache& shared, const LexicalOverlay& o,
                                                const std::vector<Term>& query, int k, const std::string* tenant,
                                                int nprobe, bool& ok);

 private:
  // The request of example id as text; CorruptData when it does not decode.
  std::string decoded(int64_t id, int enc, std::string_view bytes) const;
  struct Row : ChangedRow {
    std::string tenant;
    std::vector<Term> terms;
  };
  std::vector<Row> read_rows(const std::vector<int64_t>& ids);

  LexicalSource& src_;
  Featurizer& featurizer_;
  std::string table_;
};

}  // namespace iccache::lexical
