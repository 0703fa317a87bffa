// The FTS5-style commands of the iccache table, INSERT INTO ex(ex) VALUES('<command>'):
// which ones exist and how their text reads. ext/table/vtab_write.cpp runs them.
#pragma once
#include <string_view>

namespace iccache::table {

struct Command {
  enum class Kind {
    kForget,              // forget the examples of a tenant and/or user (docs/privacy.md)
    kIntegrityCheck,      // the integrity rules (ext/table/integrity.h)
    kOptimize,            // train the IVF index now; count the lexical IDF
    kOptimizeBackground,  // the IVF training of 'optimize', off the request path
    kTrain,               // refit the utility model from the feedback log
    kNprobe,              // nprobe for queries without one
  };
  Kind kind;
  int nprobe = 0;  // kNprobe's N
};

// The command `text` of table `table`. Throws iccache::Error naming the table for an unknown
// command or an nprobe=N whose N is not an integer from 1 to kMaxNprobe.
Command parse_command(std::string_view table, std::string_view text);

// A command travels alone: INSERT INTO ex(ex, request, ...) would run it and drop the row.
// 'forget' carries its tenant and/or user, and checks its own columns. `first_value` is the
// first column (table/columns.h) given a value besides the command, -1 when none. Throws
// iccache::Error when the command cannot take it.
void check_command_alone(std::string_view table, std::string_view text, int first_value);

}  // namespace iccache::table
