// The SQL text made from the column list of an iccache table (engine/table/columns.h, where
// each column is written once): the declaration, T_data's example columns and their DDL,
// and an UPDATE's SET list.
#pragma once
#include <string>

#include "table/columns.h"

namespace iccache::ext {

// The column numbers (kRequest, kDataRequest, ...) are the engine's.
using namespace table;

// sqlite3_declare_vtab's CREATE TABLE for a table named `table`.
std::string declare_sql(const std::string& table);
// "request, request_enc, ..., bytes": T_data's example columns after id, in order.
const std::string& data_columns_sql();
// "request BLOB NOT NULL, ...": the same with their types, for T_data's DDL.
const std::string& data_columns_ddl();
// "request = ?1, request_enc = ?2, ...": the same as an UPDATE's SET list.
const std::string& data_columns_update_sql();

}  // namespace iccache::ext
