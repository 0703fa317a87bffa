// The iccache table's commands (engine/table/command.h), its column names
// (engine/table/columns.h) and how a table-name argument reads (engine/table/table_name.h).
#include <gtest/gtest.h>

#include "common/error.h"
#include "error_test_util.h"
#include "table/columns.h"
#include "table/command.h"
#include "table/table_name.h"

namespace iccache::table {
namespace {

TEST(TableCommand, EachCommandReads) {
  using Kind = Command::Kind;
  EXPECT_EQ(parse_command("ex", "forget").kind, Kind::kForget);
  EXPECT_EQ(parse_command("ex", "integrity-check").kind, Kind::kIntegrityCheck);
  EXPECT_EQ(parse_command("ex", "optimize").kind, Kind::kOptimize);
  EXPECT_EQ(parse_command("ex", "optimize-background").kind, Kind::kOptimizeBackground);
  EXPECT_EQ(parse_command("ex", "train").kind, Kind::kTrain);
  const Command n = parse_command("ex", "nprobe=12");
  EXPECT_EQ(n.kind, Kind::kNprobe);
  EXPECT_EQ(n.nprobe, 12);
}

TEST(TableCommand, BadCommandsAreRefused) {
  EXPECT_EQ(error_of([] { parse_command("ex", "nprobe=0"); }),
            "ex: command 'nprobe=0' is not valid; expected nprobe=N with N an integer from 1 to 1048576");
  EXPECT_EQ(error_of([] { parse_command("ex", "nprobe=+3"); }),
            "ex: command 'nprobe=+3' is not valid; expected nprobe=N with N an integer from 1 to 1048576");
  EXPECT_EQ(error_of([] { parse_command("ex", "Optimize"); }),
            "ex: unknown command 'Optimize'; expected one of: integrity-check, optimize, optimize-background,"
            " train, nprobe=N, forget");
}

TEST(TableCommand, ACommandTravelsAlone) {
  EXPECT_EQ(error_of([] { check_command_alone("ex", "optimize", -1); }), "");
  EXPECT_EQ(error_of([] { check_command_alone("ex", "forget", kTenant); }), "");
  EXPECT_EQ(error_of([] { check_command_alone("ex", "optimize", kQuality); }),
            "ex: a command in the ex column cannot come with a value for quality; expected INSERT INTO"
            " ex(ex) VALUES('command') alone, and rows in an INSERT of their own");
}

TEST(TableColumns, NamesInDeclarationOrder) {
  EXPECT_STREQ(column_name(kRequest), "request");
  EXPECT_STREQ(column_name(kEmbedding), "embedding");
  EXPECT_STREQ(column_name(kMinSimilarity), "min_similarity");
  EXPECT_STREQ(column_name(kSynthetic), "synthetic");
  EXPECT_STREQ(column_name(kTableCol), "?");  // named like the table
  EXPECT_STREQ(column_name(-1), "?");
  EXPECT_EQ(kTableCol, 20);
  EXPECT_EQ(kDataRequestEnc, 2);
  EXPECT_EQ(kDataBytes, 12);
  EXPECT_EQ(kDataCount, 13);
}

std::vector<std::pair<std::string, std::string>> readings(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const TableName& n : name_readings(text)) out.emplace_back(n.schema, n.table);
  return out;
}

using Readings = std::vector<std::pair<std::string, std::string>>;

TEST(TableName, Readings) {
  EXPECT_EQ(readings("ex"), (Readings{{"", "ex"}}));
  EXPECT_EQ(readings("aux.ex"), (Readings{{"aux", "ex"}, {"", "aux.ex"}}));
  EXPECT_EQ(readings("\"aux\".\"my table\""), (Readings{{"aux", "my table"}, {"", "\"aux\".\"my table\""}}));
  EXPECT_EQ(readings("\"a\"\"b\""), (Readings{{"", "a\"b"}}));
  EXPECT_EQ(readings("`x`.[y.z]"), (Readings{{"x", "y.z"}, {"", "`x`.[y.z]"}}));
  EXPECT_EQ(readings("[a]]"), (Readings{{"", "[a]]"}}));      // ']' ends a bracketed part
  EXPECT_EQ(readings("\"open"), (Readings{{"", "\"open"}}));  // unterminated
  EXPECT_EQ(readings("a.b.c"), (Readings{{"", "a.b.c"}}));
  EXPECT_EQ(readings(".ex"), (Readings{{"", ".ex"}}));
}

TEST(TableName, Errors) {
  EXPECT_EQ(error_of([] { check_table_name("ex", "f"); }), "");
  EXPECT_EQ(error_of([] { check_table_name("", "f"); }),
            "f: the table name is empty; expected the name of a table created with USING iccache(...),"
            " such as 'ex' or 'main.ex'");
  EXPECT_EQ(error_of([] { check_table_name(std::string_view("e\0x", 3), "f"); }),
            "f: the table name 'e\\0x' holds a NUL byte; expected the name of a table created with USING"
            " iccache(...)");
  EXPECT_STREQ(not_an_iccache_table("t", "f").what(),
               "f: 't' is not an iccache table; expected the name of a table created with USING iccache(...)");
  EXPECT_STREQ(no_iccache_table("t", "f").what(),
               "f: there is no iccache table named 't'; expected the name of a table created with USING"
               " iccache(...)");
  EXPECT_STREQ(no_table_with_identity("t", 42, "f").what(),
               "f: there is no iccache table named 't' with identity 42 in any attached database; expected"
               " the table this view was created for");
}

}  // namespace
}  // namespace iccache::table
