// The columns of an iccache table, each written once here (ext/store/columns.h builds the
// SQL text from this list: the declaration, T_data's DDL, row SELECTs and UPDATEs).
//
// ICCACHE_COLUMNS lists, in order, both what `CREATE VIRTUAL TABLE ... USING iccache`
// declares (the Column enum, column_name(), the declaration SQL) and T_data's example
// columns after `id` (the DDL, the row SELECT of cursors, the INSERT and UPDATE statements
// and their parameters). A column that is in both is one BOTH entry, so its name cannot
// drift between the two. After the declared ones comes one more HIDDEN column named like
// the table (MATCH target and command column, kTableCol). Texts are stored encoded
// (engine/codec: *_enc 0 = raw UTF-8, 1 = lz4); vectors live in T_vectors. The example
// manager's statistics columns (manage_store.h) and the privacy columns (user, synthetic)
// follow these in T_data.
#pragma once

// BOTH(id, name, declared type, stored type)  TABLE(id, name, declared type)
// DATA(id, name, stored type and constraints)
#define ICCACHE_COLUMNS(BOTH, TABLE, DATA)                                    \
  BOTH(Request, "request", "TEXT", "BLOB NOT NULL")                            \
  DATA(RequestEnc, "request_enc", "INTEGER NOT NULL")                          \
  BOTH(Response, "response", "TEXT", "BLOB NOT NULL")                          \
  DATA(ResponseEnc, "response_enc", "INTEGER NOT NULL")                        \
  BOTH(Model, "model", "TEXT", "TEXT NOT NULL")                                \
  BOTH(Quality, "quality", "REAL", "REAL NOT NULL")                            \
  TABLE(Embedding, "embedding", "BLOB")                                        \
  BOTH(Tenant, "tenant", "TEXT", "TEXT NOT NULL")                              \
  BOTH(CreatedAt, "created_at", "REAL", "REAL NOT NULL")                       \
  BOTH(Uses, "uses", "INTEGER", "INTEGER NOT NULL")                            \
  BOTH(Offloads, "offloads", "INTEGER", "INTEGER NOT NULL")                    \
  BOTH(Gain, "gain", "REAL", "REAL NOT NULL")                                  \
  BOTH(Bytes, "bytes", "INTEGER", "INTEGER NOT NULL")                          \
  /* output of MATCH: cosine similarity */                                     \
  TABLE(Similarity, "similarity", "REAL HIDDEN")                               \
  /* MATCH input: number of neighbours */                                      \
  TABLE(K, "k", "INTEGER HIDDEN")                                              \
  /* optional MATCH input: IVF lists to scan for this query */                 \
  TABLE(Nprobe, "nprobe", "INTEGER HIDDEN")                                    \
  /* output of MATCH: the utility model's estimate (select_match.h) */         \
  TABLE(Utility, "utility", "REAL HIDDEN")                                     \
  /* output of MATCH: 1 on a semantic-cache hit (hit_similarity option) */     \
  TABLE(Hit, "hit", "INTEGER HIDDEN")                                          \
  /* optional MATCH input: drop candidates less similar than this */           \
  TABLE(MinSimilarity, "min_similarity", "REAL HIDDEN")                        \
  /* optional MATCH input: MMR weight of redundancy (select/mmr.h) */          \
  TABLE(Diversity, "diversity", "REAL HIDDEN")                                 \
  /* optional user key, for forget by user (docs/privacy.md) */                \
  TABLE(User, "user", "TEXT HIDDEN")                                           \
  /* 1 for a synthetic example (docs/privacy.md), else 0 */                    \
  TABLE(Synthetic, "synthetic", "INTEGER HIDDEN")

namespace iccache::table {

#define ICCACHE_TABLE_ENUM(id, ...) k##id,
#define ICCACHE_DATA_ENUM(id, ...) kData##id,
#define ICCACHE_SKIP(...)
// Column numbers of the virtual table, as declared.
enum Column : int {
  ICCACHE_COLUMNS(ICCACHE_TABLE_ENUM, ICCACHE_TABLE_ENUM, ICCACHE_SKIP) kTableCol, kColumnCount
};
// Column numbers of a row SELECT "id, <data columns>" (kDataId = 0), which are also the
// parameter numbers of the INSERT and UPDATE statements (ext/store/storage.cpp).
enum DataColumn : int {
  kDataId = 0, ICCACHE_COLUMNS(ICCACHE_DATA_ENUM, ICCACHE_SKIP, ICCACHE_DATA_ENUM) kDataCount
};
#undef ICCACHE_TABLE_ENUM
#undef ICCACHE_DATA_ENUM

// The declared name of column col ("?" out of range; the table column is named like the table).
const char* column_name(int col);

}  // namespace iccache::table
