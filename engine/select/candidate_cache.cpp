#include "select/candidate_cache.h"

#include <algorithm>
#include <mutex>

#include "codec/text_codec.h"

namespace iccache::select {

uint64_t request_text_key(int64_t encoding, std::string_view stored) {
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(encoding);
  for (unsigned char ch : stored) h = (h ^ ch) * 1099511628211ull;
  return h;
}

double relative_cost(std::span<const ModelArm> models, std::string_view model) {
  double max_cost = 0;
  for (const ModelArm& m : models) max_cost = std::max(max_cost, m.cost);
  if (max_cost <= 0) return 1;  // every model free: all alike
  for (const ModelArm& m : models)
    if (m.name == model) return m.cost / max_cost;
  return 1;  // unreachable for valid rows; the most capable assumption is harmless
}

AttributeCache::Position AttributeCache::position() const {
  std::shared_lock lock(mu_);
  return pos_;
}

EntryPtr AttributeCache::get(int64_t id) const {
  std::shared_lock lock(mu_);
  auto it = map_.find(id);
  return it == map_.end() ? nullptr : it->second;
}

void AttributeCache::put(int64_t id, EntryPtr e, uint64_t version) {
  std::unique_lock lock(mu_);
  if (version != pos_.version) return;
  if (map_.size() >= kLimit && !map_.count(id)) map_.clear();
  map_[id] = std::move(e);
}

void AttributeCache::advance(std::span<const int64_t> ids, int64_t seq, int64_t gen) {
  std::unique_lock lock(mu_);
  for (int64_t id : ids) map_.erase(id);
  pos_.seq = seq;
  pos_.gen = gen;
  pos_.valid = true;
  if (!ids.empty()) ++pos_.version;
}

void AttributeCache::reset(int64_t seq, int64_t gen, bool valid) {
  std::unique_lock lock(mu_);
  map_.clear();
  pos_.seq = seq;
  pos_.gen = gen;
  pos_.valid = valid;
  ++pos_.version;
}

size_t AttributeCache::size() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

CandidateCache::CandidateCache(std::vector<ModelArm> models, CandidateSource& source)
    : models_(std::move(models)), source_(source) {}

void CandidateCache::use(AttributeCache* shared, std::optional<uint64_t> fill_version,
                         const std::unordered_set<int64_t>* bypass) {
  if (shared != shared_ || bypass != bypass_) memo_.clear();
  shared_ = shared;
  fill_version_ = fill_version;
  bypass_ = bypass;
}

void CandidateCache::validate(int64_t generation) {
  if (generation == generation_) return;
  memo_.clear();
  own_.reset(-1, 0, false);
  generation_ = generation;
}

void CandidateCache::forget(std::span<const int64_t> ids) {
  own_.advance(ids, -1, 0);
  for (int64_t id : ids) memo_.erase(id);
}

void CandidateCache::set_request(std::string_view text, bool has_text, double now) {
  has_text_ = has_text;
  now_ = now;
  if (has_text) request_tokens_.assign(text);
  else request_tokens_.clear();
}

EntryPtr CandidateCache::entry(int64_t id) {
  auto it = memo_.find(id);
  if (it != memo_.end() && it->second && (it->second->has_tokens || !has_text_)) return it->second;
  EntryPtr e = lookup(id);
  if (e) {
    if (memo_.size() >= 4096) memo_.clear();
    memo_[id] = e;
  }
  return e;
}

EntryPtr CandidateCache::lookup(int64_t id) {
  const bool from_shared = shared_ && !(bypass_ && bypass_->count(id));
  AttributeCache& from = from_shared ? *shared_ : own_;
  // The version before the read: a change applied meanwhile makes the put a no-op.
  const uint64_t own_version = from_shared ? 0 : own_.position().version;
  EntryPtr cached = from.get(id);
  // An entry read for a vector query lacks the tokens a text query needs: read again.
  if (cached && (cached->has_tokens || !has_text_)) return cached;
  ++rows_read_;
  if (!source_.read(id, has_text_, row_)) return nullptr;
  auto e = std::make_shared<CandidateEntry>();
  e->in.quality = row_.quality;
  e->in.source_cost = relative_cost(models_, row_.model);
  e->in.bytes = row_.bytes;
  e->in.uses = row_.uses;
  e->in.offloads = row_.offloads;
  e->created_at = row_.created_at;
  e->text_key = row_.text_key;
  if (has_text_) {
    if (row_.request_enc == static_cast<int>(TextEncoding::kRaw)) e->tokens.assign(row_.request);
    else e->tokens.assign(decode_text(row_.request_enc, row_.request));
    e->has_tokens = true;
  }
  if (!from_shared) own_.put(id, e, own_version);
  else if (fill_version_) shared_->put(id, e, *fill_version_);
  // else: read for this statement only (a snapshot the shared cache does not describe).
  return e;
}

bool CandidateCache::features(int64_t id, double similarity, FeatureVec& out) {
  EntryPtr e = entry(id);
  if (!e) return false;
  PairInputs in = e->in;
  in.similarity = similarity;
  in.age_seconds = now_ - e->created_at;
  last_quality_ = in.quality;
  out = pair_features(in, has_text_ ? &request_tokens_ : nullptr, has_text_ ? &e->tokens : nullptr);
  return true;
}

std::optional<uint64_t> CandidateCache::text_key(int64_t id) {
  EntryPtr e = entry(id);
  if (!e) return std::nullopt;
  return e->text_key;
}

}  // namespace iccache::select
