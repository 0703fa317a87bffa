#include "corruption_util.h"

namespace iccache_test {

Tampered::Tampered(const std::string& create, const std::string& fill) {
  writer_ = std::make_unique<Db>(file_.path());
  writer_->exec(create);
  writer_->exec(fill);
  // Reopened: connections of one process share the table's index (docs/architecture.md),
  // so the writer must not hold one built before the damage when fresh() opens.
  writer_ = std::make_unique<Db>(file_.path());
}

Db& Tampered::fresh() {
  fresh_.reset();
  fresh_ = std::make_unique<Db>(file_.path());
  return *fresh_;
}

std::string Tampered::error_on_fresh(const std::string& sql) { return fresh().error_of(sql); }

void Tampered::run_everything() {
  for (const char* sql : {
           "SELECT rowid, request, response, similarity FROM ex WHERE ex MATCH 'question 3' AND k = 5",
           "SELECT rowid, similarity FROM ex WHERE ex MATCH 'question 3' AND k = 5 AND nprobe = 64",
           "SELECT * FROM ex",
           "SELECT embedding FROM ex",
           "SELECT rowid, request FROM ex WHERE rowid = 2",
           "INSERT INTO ex(request, response) VALUES('question new', 'answer new')",
           "UPDATE ex SET response = 'changed' WHERE rowid = 3",
           "UPDATE ex SET request = 'question changed' WHERE rowid = 4",
           "DELETE FROM ex WHERE rowid = 5",
           "SELECT * FROM iccache_route('ex', 'question 3', '[1, 2]')",
           "SELECT iccache_feedback('ex', 1, 0.5)",
           "SELECT iccache_example_feedback('ex', '[1, 2, 3]', 'small', 0.9)",
           "SELECT iccache_load('ex')",
           "SELECT iccache_calibrate('ex', 0.5)",
           "SELECT * FROM ex_stats",
           "SELECT * FROM ex_replay LIMIT 5",
           "SELECT iccache_evict('ex', '4KB')",
           "INSERT INTO ex(ex) VALUES('integrity-check')",
           "PRAGMA integrity_check",
           "INSERT INTO ex(ex) VALUES('optimize')",
           "INSERT INTO ex(ex) VALUES('integrity-check')",
       }) {
    fresh().error_of(sql);  // the answer may be an error; it must be an answer
    writer_->error_of(sql);  // and the same on the connection that cached the old state
  }
}

}  // namespace iccache_test
