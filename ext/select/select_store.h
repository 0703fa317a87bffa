// Selection's part of the file:
//   T_samples(decision INTEGER PRIMARY KEY, time REAL, tuner INTEGER, shown INTEGER,
//             features BLOB, reward REAL, rewarded_at REAL)
//       one row per routed decision: the pair features of each example shown (float64 LE,
//       kFeatureCount per example, in shown order), the grid index of the threshold that
//       served it (-1 when pinned by the option), and once iccache_feedback arrives its
//       reward. Labelled rows are the feedback log that 'train' refits the model from.
//   T_state keys select_generation (selection's own nonce, see storage.h), select_model
//       (utility model blob), select_tuner (threshold tuner blob).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "select/candidate_cache.h"
#include "select/utility_model.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

class Storage;

// Called by Storage::create_tables: T_samples (its suffix is in storage.cpp's kSuffixes, so
// dropping and renaming it is done there) and the select_generation row.
void create_select_schema(sqlite3* db, const std::string& schema, const std::string& table);

struct SampleRow {
  int64_t decision = 0;
  double time = 0;
  int tuner = -1;
  int shown = 0;
  std::string features;  // shown x kFeatureCount float64
  std::optional<double> reward;
};

// An example's columns that the utility features need (engine/select/candidate_cache.h).
// candidate() resets its statement before it returns, so that a caller that throws while
// using the row (a damaged lz4 text) cannot leave it stepped, holding a read lock that
// blocked every other process's writes (tests/sql/corruption_vectors_test.cpp).
using select::CandidateRow;

class SelectStore {
 public:
  explicit SelectStore(Storage& s) : s_(s) {}

  int64_t generation();
  std::optional<std::string> model_blob();
  std::optional<std::string> tuner_blob();
  // Writes the model and/or tuner (null: unchanged) and the new nonce.
  void write_state(const std::string* model, const std::string* tuner, int64_t generation);

  void insert_sample(const SampleRow& row);
  std::optional<SampleRow> sample(int64_t decision);
  void label(int64_t decision, double reward, double at);
  void remove(int64_t decision);
  // Every labelled sample, in decision order.
  std::vector<select::Sample> labelled();
  int64_t count(bool labelled_only);
  // Deletes up to `batch` of the oldest rows that are unlabelled and older than min_time, or
  // have decision <= max_pruned.
  void prune(double min_time, int64_t max_pruned, int batch);

  // Reads example id for scoring; with_text also reads its encoded request. False when gone.
  // The statement is reset before it returns (finish_candidate() is then a no-op).
  bool candidate(int64_t id, bool with_text, CandidateRow& out);
  void finish_candidate();

 private:
  std::optional<std::string> state_blob(Stmt& s, const char* key);

  Storage& s_;
  Stmt gen_, model_, tuner_, put_state_, put_gen_, ins_, get_, label_, del_, all_, count_, count_l_,
      prune_, cand_, cand_text_;
  Stmt* open_candidate_ = nullptr;
};

}  // namespace iccache::ext
