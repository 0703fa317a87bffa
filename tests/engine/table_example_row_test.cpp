// The rules of a row written to the iccache table (engine/table/example_row.h), through a
// fake ColumnValues (column_values_fake.h).
#include <gtest/gtest.h>

#include <iomanip>
#include <map>
#include <sstream>
#include <variant>

#include "common/error.h"
#include "column_values_fake.h"
#include "error_test_util.h"
#include "table/columns.h"
#include "table/example_row.h"

namespace iccache::table {
namespace {

TableOptions options() {
  TableOptions o;
  o.dim = 4;
  o.models = {{"small", 0.1}, {"large", 1}};
  return o;
}

// The attributes read_attributes sets, in one line.
std::string shown(const StoredExample& r) {
  std::ostringstream out;
  out << r.model << " q=" << r.quality << " tenant='" << r.tenant << "' at=" << std::fixed << std::setprecision(1)
      << r.created_at << std::defaultfloat << std::setprecision(6) << " uses=" << r.uses << " offloads=" << r.offloads << " gain=" << r.gain
      << " user=" << r.user.value_or("-") << " synthetic=" << r.synthetic;
  return out.str();
}

TEST(ExampleRow, NullsTakeTheirDefaults) {
  FakeRow row({{kRequest, std::string("q")}});
  StoredExample r;
  r.user = "stale";
  r.synthetic = true;
  read_attributes(row, options(), "ex", true, 1700000000.5, r);
  // The default model is the most capable one; created_at is now.
  EXPECT_EQ(shown(r), "large q=0.5 tenant='' at=1700000000.5 uses=0 offloads=0 gain=0 user=- synthetic=0");
}

TEST(ExampleRow, GivenValuesAreKept) {
  FakeRow row({{kModel, std::string("large")}, {kQuality, 0.25}, {kTenant, std::string("t1")},
               {kCreatedAt, 12.0}, {kUses, int64_t{3}}, {kOffloads, int64_t{2}}, {kGain, 1.5},
               {kUser, std::string("u7")}, {kSynthetic, int64_t{1}}});
  StoredExample r;
  read_attributes(row, options(), "ex", true, 99, r);
  EXPECT_EQ(shown(r), "large q=0.25 tenant='t1' at=12.0 uses=3 offloads=2 gain=1.5 user=u7 synthetic=1");
}

TEST(ExampleRow, BadValuesAreRefused) {
  StoredExample r;
  const TableOptions o = options();
  EXPECT_EQ(error_of([&] { FakeRow row({{kModel, std::string("huge")}}); read_attributes(row, o, "ex", true, 0, r); }),
            "ex.model: unknown model 'huge'; expected one of small, large");
  EXPECT_EQ(error_of([&] { FakeRow row({{kQuality, 1.5}}); read_attributes(row, o, "ex", true, 0, r); }),
            "ex.quality: must be a number from 0 to 1; received (value)");
  EXPECT_EQ(error_of([&] { FakeRow row({{kUses, int64_t{-1}}}); read_attributes(row, o, "ex", true, 0, r); }),
            "ex.uses: must be an integer >= 0; received (value)");
  EXPECT_EQ(error_of([&] { FakeRow row({{kSynthetic, int64_t{2}}}); read_attributes(row, o, "ex", true, 0, r); }),
            "ex.synthetic: must be 0 or 1; received (value)");
  EXPECT_EQ(error_of([&] { FakeRow row({{kTenant, std::string("a\xff")}}); read_attributes(row, o, "ex", true, 0, r); }),
            "ex.tenant: the text is not valid UTF-8 (invalid byte at offset 1); expected UTF-8 text");
  EXPECT_EQ(error_of([&] { FakeRow row({{kUser, std::string("u")}}); read_attributes(row, o, "ex", false, 0, r); }),
            "ex: this table was created by an earlier version of iccache, whose ex_data has no user and"
            " synthetic columns; expected NULL for user (or a table created by this version)");
  EXPECT_EQ(error_of([&] { FakeRow row({{kSynthetic, int64_t{1}}}); read_attributes(row, o, "ex", false, 0, r); }),
            "ex: this table was created by an earlier version of iccache, whose ex_data has no user and"
            " synthetic columns; expected NULL for synthetic (or a table created by this version)");
}

TEST(ExampleRow, ComputedAndQueryColumnsAreNeverStored) {
  FakeRow ok({});
  EXPECT_EQ(error_of([&] { check_insert_columns(ok, "ex"); }), "");
  FakeRow bytes({{kBytes, int64_t{5}}});
  EXPECT_EQ(error_of([&] { check_insert_columns(bytes, "ex"); }),
            "ex.bytes: must be NULL (iccache computes it); received (value)");
  FakeRow k({{kK, int64_t{5}}});
  EXPECT_EQ(error_of([&] { check_insert_columns(k, "ex"); }),
            "ex.k: is a query column and cannot be stored; expected NULL");

  FakeRow kept({}, true);
  EXPECT_EQ(error_of([&] { check_update_columns(kept, "ex"); }), "");
  FakeRow set_bytes({{kBytes, int64_t{5}}}, true);
  EXPECT_EQ(error_of([&] { check_update_columns(set_bytes, "ex"); }),
            "ex.bytes: is computed by iccache and cannot be set");
  FakeRow set_similarity({{kSimilarity, 0.5}}, true);
  EXPECT_EQ(error_of([&] { check_update_columns(set_similarity, "ex"); }),
            "ex.similarity: is a query column and cannot be stored");
}

TEST(ExampleRow, ColumnsAnUpdateMayLeaveUnread) {
  std::string reported;
  for (int c = 0; c <= kTableCol; ++c)
    if (reports_unchanged(c)) reported += std::string(reported.empty() ? "" : " ") + column_name(c);
  EXPECT_EQ(reported, "request response embedding bytes similarity k nprobe utility hit min_similarity diversity");
}

TEST(ExampleRow, VectorNeededWithoutAnEmbedder) {
  FakeRow none({});
  EXPECT_EQ(error_of([&] { check_vector_given(none, 4, true); }), "");
  EXPECT_EQ(error_of([&] { check_vector_given(none, 4, false); }),
            "ex.embedding: must be a float32 BLOB or a JSON array of 4 numbers (the table has"
            " embedder='none', so every example needs its vector); received (value)");
  EXPECT_EQ(vector_expected(8), "a float32 BLOB or a JSON array of 8 numbers");
}

TEST(ExampleRow, FootprintCountsEncodedTextsNamesAndVector) {
  StoredExample r;
  r.request = encode_text("abc");
  r.response = encode_text("hello");
  r.model = "small";
  r.tenant = "t1";
  set_footprint(r, 4);
  EXPECT_EQ(r.bytes, 3 + 5 + 5 + 2 + 16 + 64);
  EXPECT_EQ(column_what("ex", kGain), "ex.gain");
}

}  // namespace
}  // namespace iccache::table
