// Selection's persistence as selection reads and writes it: the utility model and threshold
// tuner blobs with their nonce, the per-decision samples (the feedback log 'train' refits
// from), and the candidates' rows (CandidateSource). ext/select/select_store.h implements it
// with SQL over T_samples, T_state and T_data (that header documents the layout).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "select/candidate_cache.h"
#include "select/utility_model.h"

namespace iccache::select {

struct SampleRow {
  int64_t decision = 0;
  double time = 0;
  int tuner = -1;  // grid index of the threshold that served the request; -1: none
  int shown = 0;
  std::string features;  // shown x kFeatureCount float64, maybe a counterfactual trailer
  std::optional<double> reward;
};

// Throws CorruptData naming `table` when r's features blob does not fit r.shown examples
// (learning.h well_formed_sample).
void check_sample(const SampleRow& r, const std::string& table);
// The (features, label) pairs of a labelled sample (learning.h sample_labels); throws
// CorruptData naming `table` and the decision when its features have the wrong size.
std::vector<Sample> labelled_pairs(int64_t decision, std::string_view features, int64_t shown, double reward,
                                   const std::string& table);

class SelectStore : public CandidateSource {
 public:
  // The stored nonce of selection's state ('select_generation').
  virtual int64_t generation() = 0;
  virtual std::optional<std::string> model_blob() = 0;
  virtual std::optional<std::string> tuner_blob() = 0;
  // Writes the model and/or tuner (null: unchanged) and the new nonce.
  virtual void write_state(const std::string* model, const std::string* tuner, int64_t generation) = 0;

  virtual void insert_sample(const SampleRow& row) = 0;
  // The sample of `decision`; throws CorruptData (or the store's own error) when its
  // features blob does not fit `shown`.
  virtual std::optional<SampleRow> sample(int64_t decision) = 0;
  virtual void label(int64_t decision, double reward, double at) = 0;
  virtual void remove(int64_t decision) = 0;
  // Every labelled sample's (features, label) pairs, in decision order.
  virtual std::vector<Sample> labelled() = 0;
  virtual int64_t count(bool labelled_only) = 0;
  // Deletes up to `batch` of the oldest rows that are unlabelled and older than min_time, or
  // have decision <= max_pruned.
  virtual void prune(double min_time, int64_t max_pruned, int batch) = 0;

  // Points `cache` at the per-example attribute caches that serve a statement which sees
  // index generation g (the SQL store: the process-wide ones, attribute_follower.h).
  virtual void follow_attributes(CandidateCache& cache, int64_t g) = 0;
};

}  // namespace iccache::select
