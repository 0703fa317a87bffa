// Scoring attributes of examples, cached per id after their first read, and the pair
// features they give for one request. Reading an example is the caller's (ext/: one SQL
// point lookup, about a microsecond; 50 of them cost more than the whole stage-1 search),
// so the cache asks a CandidateSource on a miss.
//
// Two layers:
//   - AttributeCache: the entries themselves, safe to read and fill from many threads, so
//     that ext/ can share one per process and table (index/shared_registry.h) next to the
//     shared index. It remembers the change-log position (seq, gen) its entries reflect;
//     the caller forgets the examples each change names (advance) instead of everything.
//   - CandidateCache: one connection's scorer for one request at a time. Its lookups go to
//     a shared AttributeCache when the caller says it may (use()), or to the connection's
//     own one (ids the caller must not take from the shared cache: its own uncommitted
//     writes; or everything, for a snapshot the shared cache does not describe).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "options/table_options.h"
#include "select/lexical.h"
#include "select/utility_features.h"

namespace iccache::select {

// An example's columns that the utility features need. Owns its texts.
struct CandidateRow {
  double quality = 0.5;
  std::string model;
  int64_t uses = 0, offloads = 0, bytes = 0;
  double created_at = 0;
  std::string request;  // encoded request bytes (codec/text_codec.h), when asked for
  int request_enc = 0;
  uint64_t text_key = 0;  // equal request texts, equal keys
};

// Where the cache reads an example it does not hold.
class CandidateSource {
 public:
  virtual ~CandidateSource() = default;
  // Fills `out` (with_text: also its encoded request) and returns true, or returns false
  // when the example does not exist. May throw (a damaged row).
  virtual bool read(int64_t id, bool with_text, CandidateRow& out) = 0;
};

// The text_key of an example whose request is stored as `stored` in `encoding`
// (codec/text_codec.h): the encoding is a pure function of the text, so the stored bytes
// identify it (FNV-1a over the encoding and the bytes). Selection shows at most one example
// per distinct request text.
uint64_t request_text_key(int64_t encoding, std::string_view stored);

// The cost of `model` relative to the most expensive of `models`: 1 when every model is
// free (all alike) or the model is not listed (the most capable assumption is harmless).
double relative_cost(std::span<const ModelArm> models, std::string_view model);

// One example's cached attributes. Immutable once stored (readers on other threads hold it
// through a shared_ptr while they score).
struct CandidateEntry {
  PairInputs in;  // similarity and age filled per pair
  double created_at = 0;
  uint64_t text_key = 0;
  bool has_tokens = false;  // read for a text query (lexical features)
  TokenSet tokens;
};
using EntryPtr = std::shared_ptr<const CandidateEntry>;

class AttributeCache {
 public:
  // Entries (about 560 bytes each with a request's token sets, 160 without): at most
  // ~70 MB; cleared wholesale when reached.
  static constexpr size_t kLimit = size_t{1} << 17;

  // The change-log entry (seq, gen) the entries reflect (valid false: none yet), and a
  // counter that every forget moves on.
  struct Position {
    int64_t seq = -1, gen = 0;
    bool valid = false;
    uint64_t version = 0;
  };
  Position position() const;

  EntryPtr get(int64_t id) const;
  // Stores e unless something was forgotten since the caller read `version`: a row read
  // under an older position must not come back after its change was applied.
  void put(int64_t id, EntryPtr e, uint64_t version);
  // Forgets `ids` (the examples the log entries up to seq name) and moves to (seq, gen).
  void advance(std::span<const int64_t> ids, int64_t seq, int64_t gen);
  // Forgets everything and moves to (seq, gen); valid false: a position no log entry has.
  void reset(int64_t seq, int64_t gen, bool valid);
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, EntryPtr> map_;
  Position pos_;
};

class CandidateCache {
 public:
  CandidateCache(std::vector<ModelArm> models, CandidateSource& source);

  // Where the next lookups go. shared: an AttributeCache of committed states (nullptr:
  // only this cache's own entries); fill_version: rows read on a miss are stored there
  // under that version (nullopt: kept in the own entries instead); bypass: ids never taken
  // from the shared cache (read and kept in the own entries). The set must outlive the use.
  void use(AttributeCache* shared, std::optional<uint64_t> fill_version,
           const std::unordered_set<int64_t>* bypass = nullptr);

  // The own entries: dropped wholesale when `generation` is not the one they were read
  // under; forget() drops single examples; clear() all of them. The caller validates
  // before every statement: within one generation nothing an entry holds can change.
  void validate(int64_t generation);
  void clear() {
    own_.reset(-1, 0, false);
    memo_.clear();
  }
  void forget(std::span<const int64_t> ids);
  size_t size() const { return own_.size(); }
  // Rows read from the source so far (ex_stats select_rows_read).
  int64_t rows_read() const { return rows_read_; }

  // The request the next features() calls score against. has_text false: lexical
  // features off (a vector query). now: seconds since 1970 (examples' ages are to it).
  void set_request(std::string_view text, bool has_text, double now);
  // The pair features of example id at `similarity` to the request; false when it is gone.
  bool features(int64_t id, double similarity, FeatureVec& out);
  // The example's quality as last read by features().
  double last_quality() const { return last_quality_; }
  // A key of the example's request text (equal texts, equal keys); nullopt when it is gone.
  std::optional<uint64_t> text_key(int64_t id);

 private:
  EntryPtr entry(int64_t id);
  EntryPtr lookup(int64_t id);

  std::vector<ModelArm> models_;
  CandidateSource& source_;
  AttributeCache own_;
  int64_t generation_ = -1;  // the generation own_ was read under
  AttributeCache* shared_ = nullptr;
  std::optional<uint64_t> fill_version_;
  const std::unordered_set<int64_t>* bypass_ = nullptr;
  int64_t rows_read_ = 0;
  // The entries already looked up at this generation (stage 1 and stage 2 of a MATCH ask
  // for each candidate two or three times, and the next requests for many of the same):
  // one visit to the shared cache per candidate, whose lock and reference counts are cache
  // lines other threads touch too. Emptied when the generation (validate) or the caches
  // used (use) change; at most 4,096 entries.
  std::unordered_map<int64_t, EntryPtr> memo_;
  CandidateRow row_;  // reused read buffer
  TokenSet request_tokens_;
  bool has_text_ = false;
  double now_ = 0;
  double last_quality_ = 0;
};

}  // namespace iccache::select
