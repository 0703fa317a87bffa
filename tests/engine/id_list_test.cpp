// The one reader of example-id lists (engine/common/id_list.h).
#include "common/id_list.h"

#include <gtest/gtest.h>

namespace iccache {
namespace {

using Ids = std::vector<int64_t>;

TEST(IdList, ReadsJsonArraysOfIntegers) {
  EXPECT_EQ(parse_id_list("[3, 7, 9]"), Ids({3, 7, 9}));
  EXPECT_EQ(parse_id_list(" [ 3 ,7\n,\t9 ] "), Ids({3, 7, 9}));
  EXPECT_EQ(parse_id_list("[-1]"), Ids({-1}));
  EXPECT_EQ(parse_id_list("[-9223372036854775808, 9223372036854775807]"),
            Ids({INT64_MIN, INT64_MAX}));
  EXPECT_EQ(parse_id_list("[]"), Ids{});
  EXPECT_EQ(parse_id_list("[ ]"), Ids{});
  EXPECT_EQ(parse_id_list(""), Ids{});    // blank: none
  EXPECT_EQ(parse_id_list("  "), Ids{});
}

TEST(IdList, RefusesEverythingElse) {
  for (const char* bad : {"[1,", "[1, 2.5]", "{}", "[1, x]", "[1 2]", "[,]", "[1,]", "[-]", "3",
                          "[1] x", "[9223372036854775808]", "[99999999999999999999999, x]",
                          "[1e3]", "[\"1\"]", "[0x10]", "null", "[[1]]"})
    EXPECT_EQ(parse_id_list(bad), std::nullopt) << bad;
}

TEST(IdList, WritesWhatItReads) {
  const Ids ids = {1, -2, INT64_MAX};
  EXPECT_EQ(id_list_json(ids), "[1,-2,9223372036854775807]");
  EXPECT_EQ(parse_id_list(id_list_json(ids)), ids);
  EXPECT_EQ(id_list_json({}), "[]");
}

}  // namespace
}  // namespace iccache
