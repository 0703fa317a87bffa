#include "crash_workload.h"

namespace iccache_rel {

namespace {
const char* const kThings[] = {"apples", "marbles", "boxes", "litres", "pages", "coins", "eggs"};
const char* const kPlaces[] = {"crate", "jar", "truck", "tank", "book", "purse", "basket"};
}  // namespace

std::string create_sql(bool sq8) {
  return "CREATE VIRTUAL TABLE ex USING iccache(dim=" + std::to_string(kDim) +
         ", ivf_min=64, seed=7, training='background'" + (sq8 ? ", quantizer='sq8'" : "") + ");"
         "CREATE TABLE progress(txn INTEGER PRIMARY KEY);";
}

std::string request_text(int64_t t, int j) {
  std::string id = std::to_string(t) + "." + std::to_string(j);
  std::string s = "question " + id + ": how many " + kThings[(t * 7 + j) % 7] + " fit in a " +
                  kPlaces[(t + j) % 7] + "?";
  if (j == 7)
    for (int i = 0; i < 40; ++i) s += " Step " + id + ": add the numbers and carry the remainder;";
  return s;
}

std::string response_text(int64_t t, int j) {
  return "answer " + std::to_string(t) + "." + std::to_string(j);
}

std::string revised_response(int64_t t) { return "revised by transaction " + std::to_string(t); }

std::string model_of(int j) { return j % 2 ? "small" : "large"; }
std::string tenant_of(int j) { return "t" + std::to_string(j % 3); }
double quality_of(int64_t t, int j) { return static_cast<double>((t * 8 + j) % 11) / 10.0; }

bool deleted_by(int64_t t, int j, int64_t committed) { return j == 1 && t + 3 <= committed; }
bool revised_by(int64_t t, int j, int64_t committed) {
  return j == 2 && t + 1 <= committed && (t + 1) % 2 == 0;
}
bool shown(int j) { return j == 0 || j == 3; }

std::vector<ExpectedExample> expected_examples(int64_t committed) {
  std::vector<ExpectedExample> out;
  for (int64_t t = 1; t <= committed; ++t)
    for (int j = 0; j < kPerTxn; ++j) {
      if (deleted_by(t, j, committed)) continue;
      out.push_back({example_id(t, j), request_text(t, j),
                     revised_by(t, j, committed) ? revised_response(t + 1) : response_text(t, j),
                     model_of(j), tenant_of(j), shown(j) ? 1 : 0});
    }
  return out;
}

}  // namespace iccache_rel
