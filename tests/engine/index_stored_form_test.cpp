// The stored forms of the training and vectors (index/stored_form.h): read back exactly, or
// refused as damage with the message that says what was found and what was expected.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "index/stored_form.h"

namespace iccache::index {
namespace {

std::string bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)};
}

// The message of the CorruptData `fn` throws ("" when it throws none).
std::string damage(const std::function<void()>& fn) {
  std::string message;
  try {
    fn();
  } catch (const CorruptData& e) {
    message = e.what();
  }
  return message;
}

TEST(StoredForm, CentroidsAreReadInListOrder) {
  std::vector<float> c;
  append_centroid(c, 0, bytes_of({1, 0}), 2);
  append_centroid(c, 1, bytes_of({0, 1}), 2);
  EXPECT_EQ(c, (std::vector<float>{1, 0, 0, 1}));
  EXPECT_EQ(damage([&] { append_centroid(c, 3, bytes_of({1, 0}), 2); }),
            "centroid row 3 is not list 2 of 8 bytes (run 'integrity-check', then 'optimize' to retrain)");
  EXPECT_EQ(damage([&] { append_centroid(c, 2, bytes_of({1}), 2); }),
            "centroid row 2 is not list 2 of 8 bytes (run 'integrity-check', then 'optimize' to retrain)");
  EXPECT_EQ(c.size(), 4u);  // nothing appended by a refused row
}

TEST(StoredForm, Sq8RangesHoldTwoFloatsPerDimension) {
  EXPECT_EQ(sq8_ranges_of(bytes_of({-1, -2, 1, 2}), 2), (std::vector<float>{-1, -2, 1, 2}));
  EXPECT_EQ(damage([] { sq8_ranges_of("", 2); }),
            "the stored sq8_ranges hold 0 bytes; expected 16 (run 'optimize' to retrain)");
}

TEST(StoredForm, AVectorHoldsDimFloats) {
  float v[2] = {0, 0};
  copy_vector(bytes_of({0.6f, 0.8f}), 2, 5, v);
  EXPECT_EQ(v[0], 0.6f);
  EXPECT_EQ(v[1], 0.8f);
  EXPECT_EQ(damage([&] { copy_vector(bytes_of({0.6f}), 2, 5, v); }),
            "the stored vector of example 5 has 4 bytes; expected 8");
}

TEST(StoredForm, AVectorOfAnotherSizeNamesTheTable) {
  float v[3] = {7, 7, 7};
  copy_vector(bytes_of({1, 2, 3}), 3, 2, v, "ex");
  EXPECT_EQ(v[2], 3.0f);
  EXPECT_EQ(damage([&] { copy_vector("0123456789", 3, 2, v, "ex"); }),
            "ex: the stored vector of example 2 has 10 bytes; expected 12");
  EXPECT_EQ(damage([&] { copy_vector(bytes_of({1, 2, 3, 4}), 3, 9, v, "my cache"); }),
            "my cache: the stored vector of example 9 has 16 bytes; expected 12");
  EXPECT_EQ(v[0], 1.0f);  // a refused blob copies nothing
}

}  // namespace
}  // namespace iccache::index
