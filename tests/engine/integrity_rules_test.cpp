// The integrity rules of stored examples (engine/common/integrity.h) and the IVF list count
// a training makes (engine/index/ivf_training.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "codec/text_codec.h"
#include "common/footprint.h"
#include "common/integrity.h"
#include "index/ivf_training.h"

namespace iccache {
namespace {

std::string blob(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

TableOptions options() {
  TableOptions o;
  o.dim = 2;
  o.models = {{"small", 0.1}, {"large", 1}};
  return o;
}

TEST(IntegrityRules, AGoodRowHasNoProblem) {
  const EncodedText q = encode_text("question"), a = encode_text(std::string(200, 'x'));
  const std::string v = blob({0.6f, 0.8f});
  StoredRow r;
  r.id = 7;
  r.request = q.bytes;
  r.request_enc = static_cast<int>(q.encoding);
  r.response = a.bytes;
  r.response_enc = static_cast<int>(a.encoding);
  r.model = "small";
  r.tenant = "acme";
  r.quality = 0.5;
  r.bytes = example_bytes(q.bytes.size(), a.bytes.size(), 5, 4, 2);
  r.vector = v;
  std::vector<std::string> problems;
  check_stored_row(problems, r, options());
  EXPECT_EQ(problems, std::vector<std::string>{});

  r.model = "medium";
  r.quality = 2;
  r.bytes = 1;
  r.request = "\xff";
  r.request_enc = 0;
  check_stored_row(problems, r, options());
  EXPECT_EQ(problems, (std::vector<std::string>{
                          "example 7 request is not valid UTF-8",
                          "example 7 has unknown model 'medium'",
                          "example 7 has quality 2.000000 outside [0, 1]",
                          "example 7 records 1 bytes; expected " + std::to_string(example_bytes(1, a.bytes.size(), 6, 4, 2)),
                      }));
}

TEST(IntegrityRules, StoredVectors) {
  std::vector<std::string> problems;
  check_stored_vector(problems, "centroid 0", blob({0.6f, 0.8f}), 2);
  EXPECT_TRUE(problems.empty());
  check_stored_vector(problems, "centroid 1", blob({1, 0, 0}), 2);
  check_stored_vector(problems, "centroid 2", blob({std::numeric_limits<float>::quiet_NaN(), 1}), 2);
  check_stored_vector(problems, "centroid 3", blob({3, 4}), 2);
  EXPECT_EQ(problems, (std::vector<std::string>{"centroid 1 has 12 bytes; expected 8",
                                                "centroid 2 holds a NaN or infinite value",
                                                "centroid 3 has norm 5.000000; expected 1"}));
}

TEST(IntegrityRules, StoredTextThatDoesNotDecode) {
  std::vector<std::string> problems;
  check_stored_text(problems, "example 1 response", 9, "abc");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("example 1 response: ", 0), 0u) << problems[0];
}

TEST(IntegrityRules, IvfListCountIsTheRoundedRootAtLeastOne) {
  EXPECT_EQ(index::ivf_list_count(0), 1);
  EXPECT_EQ(index::ivf_list_count(1), 1);
  EXPECT_EQ(index::ivf_list_count(2), 1);
  EXPECT_EQ(index::ivf_list_count(3), 2);
  EXPECT_EQ(index::ivf_list_count(1000000), 1000);
  EXPECT_EQ(index::ivf_list_count(1001000), 1000);  // 1000.4995
}

}  // namespace
}  // namespace iccache
