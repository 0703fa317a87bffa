// The integrity rules of T_state and of the IVF rows and in-memory index
// (engine/common/integrity.h), and the report that lists the problems found.
#include <gtest/gtest.h>

#include "common/integrity.h"

namespace iccache {
namespace {

using Problems = std::vector<std::string>;

TEST(IntegrityState, FormatGenerationAndBytesTotal) {
  Problems p;
  check_state(p, "ex", 1, 1, 1, 300, 300.0);
  EXPECT_EQ(p, Problems{});
  check_state(p, "ex", std::nullopt, 1, 0, std::nullopt, 120.0);
  check_state(p, "ex", 2, 1, 1, 100, 120.0);
  EXPECT_EQ(p, (Problems{"ex_state: format version missing or not 1", "ex_state: the generation row is missing",
                         "ex_state: the 'bytes' total is missing; expected 120, the sum of bytes over ex_data",
                         "ex_state: format version missing or not 1",
                         "ex_state: the 'bytes' total is 100; expected 120, the sum of bytes over ex_data"}));
}

TEST(IntegrityIndex, CentroidCountMatchesTheTraining) {
  Problems p;
  check_centroid_count(p, "ex", 0, 0, 1);     // untrained, no centroids
  check_centroid_count(p, "ex", 10, 100, 10);  // K = round(sqrt(100))
  EXPECT_EQ(p, Problems{});
  check_centroid_count(p, "ex", 3, 0, 1);
  check_centroid_count(p, "ex", 0, 100, 10);
  check_centroid_count(p, "ex", 9, 100, 10);
  EXPECT_EQ(p, (Problems{"ex_centroids holds 3 centroids but the index is untrained",
                         "ex_centroids holds 0 centroids but the index is trained",
                         "ex_centroids holds 9 centroids but the training of 100 examples made 10"}));
}

TEST(IntegrityIndex, RowsOfTheIvfTable) {
  Problems p;
  report_unlisted(p, "ex_index", std::nullopt, 7);
  report_unlisted(p, "ex_index", 8, std::nullopt);
  report_unlisted(p, "ex_index_alt", 9, 9);
  report_bad_list_row(p, 3, 12, 16, 10, 16, true);
  report_bad_list_row(p, 4, 2, std::nullopt, 10, 16, true);
  report_bad_list_row(p, 5, -1, 8, 1, 16, false);
  report_bad_list_row(p, 6, 1, std::nullopt, 1, 16, false);
  EXPECT_EQ(p, (Problems{"ex_index lists example 7 which does not exist", "example 8 is in no IVF list",
                         "example 9 has a different tenant in ex_index_alt",
                         "example 3 is in list 12 with a 16-byte code; expected a list from 0 to 9 and a 16-byte code",
                         "example 4 is in list 2 with no code; expected a list from 0 to 9 and a 16-byte code",
                         "example 5 is in list -1 with a 8-byte code; expected a list from 0 to 0 and no code",
                         "example 6 is in list 1; expected a list from 0 to 0 and no code"}));
}

TEST(IntegrityIndex, InMemoryIndexAgainstTheRows) {
  Problems p;
  EXPECT_TRUE(check_memory_index_size(p, 50, 7, 50, 7));
  check_memory_list(p, "ex_index", 4, 2, 2);
  EXPECT_EQ(p, Problems{});
  EXPECT_FALSE(check_memory_index_size(p, 49, 7, 50, 7));
  EXPECT_FALSE(check_memory_index_size(p, 50, 1, 50, 7));
  check_memory_list(p, "ex_index", 4, 2, 3);
  EXPECT_EQ(p, (Problems{"the in-memory index holds 49 vectors in 7 lists but the tables hold 50 in 7",
                         "the in-memory index holds 50 vectors in 1 lists but the tables hold 50 in 7",
                         "example 4 is in list 2 in memory but list 3 in ex_index"}));
}

TEST(IntegrityReport, ListsTheFirstTenProblems) {
  EXPECT_EQ(integrity_report("ex", {"a", "b"}), "ex: integrity-check found 2 problem(s): a; b");
  Problems many;
  for (int i = 0; i < 12; ++i) many.push_back(std::to_string(i));
  EXPECT_EQ(integrity_report("ex", many), "ex: integrity-check found 12 problem(s): 0; 1; 2; 3; 4; 5; 6; 7; 8; 9");
}

}  // namespace
}  // namespace iccache
