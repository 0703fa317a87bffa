#include "ext/select/select_state.h"

#include <algorithm>

#include "codec/text_codec.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

SelectState::SelectState(Table& t)
    : table(t),
      store(t.storage),
      tuner(t.options.select.threshold_grid, t.options.select.threshold_explore,
            t.options.select.prefill_penalty, t.options.seed) {
  max_cost_ = 0;
  for (const ModelArm& m : t.options.models) max_cost_ = std::max(max_cost_, m.cost);
}

int64_t SelectState::next_generation() { return static_cast<int64_t>(table.nonce_rng() >> 1); }

void SelectState::refresh(std::optional<int64_t> index_generation) {
  const int64_t g = store.generation();
  const int64_t index_g = index_generation ? *index_generation : table.storage.generation();
  if (index_g != cache_generation_) {
    cache_.clear();
    cache_generation_ = index_g;
  }
  if (loaded && g == generation) return;
  loaded = false;
  cache_.clear();  // another connection or a rollback changed what was cached
  select::UtilityModel m;
  if (auto blob = store.model_blob(); blob && !m.deserialize(*blob))
    throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the utility model in " + table.name +
                                            "_state (key select_model) is damaged; expected " +
                                            std::to_string(8 * (select::kFeatureCount * (select::kFeatureCount + 1) + 1)) +
                                            " bytes of finite numbers");
  const SelectOptions& o = table.options.select;
  select::ThresholdTuner tu(o.threshold_grid, o.threshold_explore, o.prefill_penalty, table.options.seed);
  if (auto blob = store.tuner_blob(); blob && !tu.deserialize(*blob))
    throw SqlError(SQLITE_CORRUPT_VTAB, table.name + ": the threshold tuner in " + table.name +
                                            "_state (key select_tuner) is damaged or does not fit"
                                            " the threshold_grid option");
  model = m;
  tuner = std::move(tu);
  generation = g;
  loaded = true;
}

ThresholdChoice SelectState::choose(const float* request) const {
  const SelectOptions& o = table.options.select;
  if (o.threshold) return {*o.threshold, -1, false};
  const select::ThresholdDraw d = tuner.draw(select::request_key(request, table.options.dim));
  return {tuner.grid()[d.index], d.index, d.explored};
}

void SelectState::set_request(std::string_view text, bool has_text, double now) {
  has_text_ = has_text;
  now_ = now;
  if (has_text) request_tokens_.assign(text);
  else request_tokens_.clear();
}

double SelectState::relative_cost(std::string_view model) const {
  if (max_cost_ <= 0) return 1;  // every model free: all alike
  for (const ModelArm& m : table.options.models)
    if (m.name == model) return m.cost / max_cost_;
  return 1;  // unreachable for valid rows; the most capable assumption is harmless
}

SelectState::Cached* SelectState::cached(int64_t id) {
  auto it = cache_.find(id);
  if (it != cache_.end() && (it->second.has_tokens || !has_text_)) return &it->second;
  CandidateRow row;
  if (!store.candidate(id, has_text_, row)) return nullptr;
  if (cache_.size() >= kCacheLimit) cache_.clear();
  Cached& c = cache_[id];
  c.in.quality = row.quality;
  c.in.source_cost = relative_cost(row.model);
  c.in.bytes = row.bytes;
  c.in.uses = row.uses;
  c.in.offloads = row.offloads;
  c.created_at = row.created_at;
  c.text_key = row.text_key;
  if (has_text_) {
    if (row.request_enc == static_cast<int>(TextEncoding::kRaw)) {
      c.tokens.assign(row.request);
    } else {
      c.tokens.assign(decode_text(row.request_enc, row.request));
    }
    c.has_tokens = true;
  }
  store.finish_candidate();
  return &c;
}

bool SelectState::features(int64_t id, double similarity, select::FeatureVec& out) {
  Cached* c = cached(id);
  if (!c) return false;
  select::PairInputs in = c->in;
  in.similarity = similarity;
  in.age_seconds = now_ - c->created_at;
  last_quality_ = in.quality;
  out = select::pair_features(in, has_text_ ? &request_tokens_ : nullptr,
                              has_text_ ? &c->tokens : nullptr);
  return true;
}

std::optional<uint64_t> SelectState::text_key(int64_t id) {
  Cached* c = cached(id);
  if (!c) return std::nullopt;
  return c->text_key;
}

void SelectState::forget(std::span<const int64_t> ids) {
  for (int64_t id : ids) cache_.erase(id);
}

SelectState& select_state(Table& t, std::optional<int64_t> index_generation) {
  if (!t.select) t.select = std::make_shared<SelectState>(t);
  t.select->refresh(index_generation);
  return *t.select;
}

}  // namespace iccache::ext
