// Scoring attributes of examples, cached per id after their first read, and the pair
// features they give for one request. Reading an example is the caller's (ext/: one SQL
// point lookup, about a microsecond; 50 of them cost more than the whole stage-1 search),
// so the cache asks a CandidateSource on a miss.
//
// Validity is the caller's to decide: it calls validate() with the index generation it
// searched (every INSERT, UPDATE, DELETE changes it: the whole cache goes), clear() when
// the selection state was reloaded, and forget() for examples whose statistics it changed.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

// The cost of `model` relative to the most expensive of `models`: 1 when every model is
// free (all alike) or the model is not listed (the most capable assumption is harmless).
double relative_cost(std::span<const ModelArm> models, std::string_view model);

class CandidateCache {
 public:
  CandidateCache(std::vector<ModelArm> models, CandidateSource& source);

  // Entries (about 560 bytes each with a request's token sets, 160 without): at most
  // ~70 MB per connection; cleared wholesale when reached.
  static constexpr size_t kLimit = size_t{1} << 17;

  // Drops every entry when index_generation is not the one the entries were read under.
  void validate(int64_t index_generation);
  void clear() { cache_.clear(); }
  // Drops the entries of these examples (their statistics changed).
  void forget(std::span<const int64_t> ids);
  size_t size() const { return cache_.size(); }

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
  struct Entry {
    PairInputs in;  // similarity and age filled per pair
    double created_at = 0;
    uint64_t text_key = 0;
    bool has_tokens = false;
    TokenSet tokens;
  };
  Entry* entry(int64_t id);

  std::vector<ModelArm> models_;
  CandidateSource& source_;
  std::unordered_map<int64_t, Entry> cache_;
  int64_t generation_ = -1;  // index generation the entries were read under
  CandidateRow row_;         // reused read buffer
  TokenSet request_tokens_;
  bool has_text_ = false;
  double now_ = 0;
  double last_quality_ = 0;
};

}  // namespace iccache::select
