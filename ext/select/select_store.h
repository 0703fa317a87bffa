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

#include "select/attribute_follower.h"
#include "select/select_store.h"
#include "ext/sql/stmt.h"

namespace iccache::ext {

class Storage;
struct Table;

// Called by Storage::create_tables: T_samples (its suffix is in storage.cpp's kSuffixes, so
// dropping and renaming it is done there) and the select_generation row.
void create_select_schema(sqlite3* db, const std::string& schema, const std::string& table);

// Selection's store (engine/select/select_store.h) over the tables above. read() resets its
// statement before it returns, so that a caller that throws while using the row (a damaged
// lz4 text) cannot leave it stepped, holding a read lock that blocked every other process's
// writes (tests/sql/corruption_vectors_test.cpp).
class SelectStore : public select::SelectStore {
 public:
  explicit SelectStore(Table& t);

  int64_t generation() override;
  std::optional<std::string> model_blob() override;
  std::optional<std::string> tuner_blob() override;
  void write_state(const std::string* model, const std::string* tuner, int64_t generation) override;

  void insert_sample(const select::SampleRow& row) override;
  std::optional<select::SampleRow> sample(int64_t decision) override;
  void label(int64_t decision, double reward, double at) override;
  void remove(int64_t decision) override;
  std::vector<select::Sample> labelled() override;
  int64_t count(bool labelled_only) override;
  void prune(double min_time, int64_t max_pruned, int batch) override;

  // Reads example id for scoring; with_text also reads its encoded request. False when gone.
  bool read(int64_t id, bool with_text, select::CandidateRow& out) override;
  // Selection's per-example scoring attributes, shared by the connections of a process like
  // the index (engine/index/shared_registry.h) and followed from the change log by the
  // engine's rules (engine/select/attribute_follower.h): the process-wide cache of a file
  // database's table, else the connection's own (in-memory and temp databases), told
  // whether the connection is inside a write transaction.
  void follow_attributes(select::CandidateCache& cache, int64_t g) override;

 private:
  std::optional<std::string> state_blob(Stmt& s, const char* key);
  void finish_candidate();

  Table& t_;
  Storage& s_;
  std::optional<select::AttributeFollower> attributes_;  // resolved at first use
  Stmt gen_, model_, tuner_, put_state_, put_gen_, ins_, get_, label_, del_, all_, count_, count_l_,
      prune_, cand_;
  Stmt* open_candidate_ = nullptr;
};

}  // namespace iccache::ext
