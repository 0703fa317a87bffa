// The columns of an iccache table, each written once here.
//
// ICCACHE_TABLE_COLUMNS: what `CREATE VIRTUAL TABLE ... USING iccache` declares, in order
// (the Column enum, column_name(), the declaration SQL). After them comes one more HIDDEN
// column named like the table (MATCH target and command column, kTableCol).
//
// ICCACHE_DATA_COLUMNS: T_data's example columns after `id`, in order (the DDL, the row
// SELECT of cursors, the INSERT and UPDATE statements and their parameters): texts are
// stored encoded (engine/codec: *_enc 0 = raw UTF-8, 1 = lz4), vectors live in T_vectors.
// The example manager's statistics columns (manage_store.h) and the privacy columns
// (user, synthetic) follow them in T_data.
#pragma once
#include <string>

// X(enum id, name, declared type)
#define ICCACHE_TABLE_COLUMNS(X)                                                        \
  X(kRequest, "request", "TEXT")                                                        \
  X(kResponse, "response", "TEXT")                                                      \
  X(kModel, "model", "TEXT")                                                            \
  X(kQuality, "quality", "REAL")                                                        \
  X(kEmbedding, "embedding", "BLOB")                                                    \
  X(kTenant, "tenant", "TEXT")                                                          \
  X(kCreatedAt, "created_at", "REAL")                                                   \
  X(kUses, "uses", "INTEGER")                                                           \
  X(kOffloads, "offloads", "INTEGER")                                                   \
  X(kGain, "gain", "REAL")                                                              \
  X(kBytes, "bytes", "INTEGER")                                                         \
  /* output of MATCH: cosine similarity */                                              \
  X(kSimilarity, "similarity", "REAL HIDDEN")                                           \
  /* MATCH input: number of neighbours */                                               \
  X(kK, "k", "INTEGER HIDDEN")                                                          \
  /* optional MATCH input: IVF lists to scan for this query */                          \
  X(kNprobe, "nprobe", "INTEGER HIDDEN")                                                \
  /* output of MATCH: the utility model's estimate (select_match.h) */                  \
  X(kUtility, "utility", "REAL HIDDEN")                                                 \
  /* output of MATCH: 1 on a semantic-cache hit (hit_similarity option) */              \
  X(kHit, "hit", "INTEGER HIDDEN")                                                      \
  /* optional MATCH input: drop candidates less similar than this */                    \
  X(kMinSimilarity, "min_similarity", "REAL HIDDEN")                                    \
  /* optional MATCH input: MMR weight of redundancy (select/mmr.h) */                    \
  X(kDiversity, "diversity", "REAL HIDDEN")                                             \
  /* optional user key, for forget by user (docs/privacy.md) */                         \
  X(kUser, "user", "TEXT HIDDEN")                                                       \
  /* 1 for a synthetic example (docs/privacy.md), else 0 */                             \
  X(kSynthetic, "synthetic", "INTEGER HIDDEN")

// X(enum id, name, type and constraints)
#define ICCACHE_DATA_COLUMNS(X)                       \
  X(kDataRequest, "request", "BLOB NOT NULL")         \
  X(kDataRequestEnc, "request_enc", "INTEGER NOT NULL") \
  X(kDataResponse, "response", "BLOB NOT NULL")       \
  X(kDataResponseEnc, "response_enc", "INTEGER NOT NULL") \
  X(kDataModel, "model", "TEXT NOT NULL")             \
  X(kDataQuality, "quality", "REAL NOT NULL")         \
  X(kDataTenant, "tenant", "TEXT NOT NULL")           \
  X(kDataCreatedAt, "created_at", "REAL NOT NULL")    \
  X(kDataUses, "uses", "INTEGER NOT NULL")            \
  X(kDataOffloads, "offloads", "INTEGER NOT NULL")    \
  X(kDataGain, "gain", "REAL NOT NULL")               \
  X(kDataBytes, "bytes", "INTEGER NOT NULL")

namespace iccache::ext {

#define ICCACHE_COLUMN_ENUM(id, name, type) id,
// Column numbers of the virtual table, as declared.
enum Column : int { ICCACHE_TABLE_COLUMNS(ICCACHE_COLUMN_ENUM) kTableCol, kColumnCount };
// Column numbers of a row SELECT "id, <data columns>" (kDataId = 0), which are also the
// parameter numbers of the INSERT and UPDATE statements (storage.cpp).
enum DataColumn : int { kDataId = 0, ICCACHE_DATA_COLUMNS(ICCACHE_COLUMN_ENUM) kDataCount };
#undef ICCACHE_COLUMN_ENUM

// The declared name of column col ("?" out of range; the table column is named like the table).
const char* column_name(int col);
// sqlite3_declare_vtab's CREATE TABLE for a table named `table`.
std::string declare_sql(const std::string& table);
// "request, request_enc, ..., bytes": T_data's example columns after id, in order.
const std::string& data_columns_sql();
// "request BLOB NOT NULL, ...": the same with their types, for T_data's DDL.
const std::string& data_columns_ddl();
// "request = ?1, request_enc = ?2, ...": the same as an UPDATE's SET list.
const std::string& data_columns_update_sql();

}  // namespace iccache::ext
