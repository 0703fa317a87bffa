#include "select/candidate_cache.h"

#include <algorithm>

#include "codec/text_codec.h"

namespace iccache::select {

double relative_cost(std::span<const ModelArm> models, std::string_view model) {
  double max_cost = 0;
  for (const ModelArm& m : models) max_cost = std::max(max_cost, m.cost);
  if (max_cost <= 0) return 1;  // every model free: all alike
  for (const ModelArm& m : models)
    if (m.name == model) return m.cost / max_cost;
  return 1;  // unreachable for valid rows; the most capable assumption is harmless
}

CandidateCache::CandidateCache(std::vector<ModelArm> models, CandidateSource& source)
    : models_(std::move(models)), source_(source) {}

void CandidateCache::validate(int64_t index_generation) {
  if (index_generation == generation_) return;
  cache_.clear();
  generation_ = index_generation;
}

void CandidateCache::forget(std::span<const int64_t> ids) {
  for (int64_t id : ids) cache_.erase(id);
}

void CandidateCache::set_request(std::string_view text, bool has_text, double now) {
  has_text_ = has_text;
  now_ = now;
  if (has_text) request_tokens_.assign(text);
  else request_tokens_.clear();
}

CandidateCache::Entry* CandidateCache::entry(int64_t id) {
  auto it = cache_.find(id);
  // An entry read for a vector query lacks the tokens a text query needs: read again.
  if (it != cache_.end() && (it->second.has_tokens || !has_text_)) return &it->second;
  if (!source_.read(id, has_text_, row_)) return nullptr;
  if (cache_.size() >= kLimit) cache_.clear();
  Entry& e = cache_[id];
  e.in.quality = row_.quality;
  e.in.source_cost = relative_cost(models_, row_.model);
  e.in.bytes = row_.bytes;
  e.in.uses = row_.uses;
  e.in.offloads = row_.offloads;
  e.created_at = row_.created_at;
  e.text_key = row_.text_key;
  if (has_text_) {
    if (row_.request_enc == static_cast<int>(TextEncoding::kRaw)) e.tokens.assign(row_.request);
    else e.tokens.assign(decode_text(row_.request_enc, row_.request));
    e.has_tokens = true;
  }
  return &e;
}

bool CandidateCache::features(int64_t id, double similarity, FeatureVec& out) {
  Entry* e = entry(id);
  if (!e) return false;
  PairInputs in = e->in;
  in.similarity = similarity;
  in.age_seconds = now_ - e->created_at;
  last_quality_ = in.quality;
  out = pair_features(in, has_text_ ? &request_tokens_ : nullptr, has_text_ ? &e->tokens : nullptr);
  return true;
}

std::optional<uint64_t> CandidateCache::text_key(int64_t id) {
  Entry* e = entry(id);
  if (!e) return std::nullopt;
  return e->text_key;
}

}  // namespace iccache::select
