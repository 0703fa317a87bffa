// The integrity rules of what a table stores (INSERT INTO ex(ex) VALUES('integrity-check'),
// iccache_integrity_check): each rule appends a problem, a phrase naming what is wrong
// ("example 7 has quality 2.000000 outside [0, 1]"), to a list; ext/table/integrity.cpp
// reads the rows and reports the list as one error.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options/table_options.h"

namespace iccache {

// A stored text (codec/text_codec.h encoding and bytes) that decodes to valid UTF-8.
void check_stored_text(std::vector<std::string>& problems, const std::string& where, int encoding,
                       std::string_view bytes);

// A stored vector: dim float32 values, finite, of unit length (within 1e-3).
void check_stored_vector(std::vector<std::string>& problems, const std::string& where, std::string_view blob,
                         int dim);

// One example's stored row, as T_data and T_vectors hold it.
struct StoredRow {
  int64_t id = 0;
  std::string_view request, response;  // encoded
  int request_enc = 0, response_enc = 0;
  std::string_view model, tenant;
  double quality = 0;
  int64_t bytes = 0;
  std::string_view vector;  // float32 blob
};

// Every rule of one example under table options o: its texts, a configured model, quality
// in [0, 1], the bytes column equal to its footprint (common/footprint.h), its vector.
void check_stored_row(std::vector<std::string>& problems, const StoredRow& r, const TableOptions& o);

// The most problems one check lists.
constexpr size_t kMaxProblems = 100;

// T_state's rows of table `table`: the format version (nullopt: no row), the number of
// 'generation' rows (one), and the 'bytes' total (nullopt: no row) against the sum of bytes
// over T_data. The total is kept by the write path (ext/store/storage.cpp); a direct write
// to T_data bypasses it.
void check_state(std::vector<std::string>& problems, std::string_view table, std::optional<int64_t> format,
                 int64_t expected_format, int64_t generation_rows, std::optional<int64_t> bytes_total,
                 double bytes_sum);

// The IVF training's centroids: there are some exactly when the index is trained (trained_n
// > 0), and training makes K = round(sqrt(N)) lists (Table::train_index); another count
// means rows were lost or added behind the table's back, even when every list number is in
// range. (Fewer when the training saw fewer distinct vectors: then its count is in
// 'ivf_lists', passed as lists_made.)
void check_centroid_count(std::vector<std::string>& problems, std::string_view table, int64_t centroids,
                          int64_t trained_n, int64_t lists_made);

// An example of T_data (data_id) or of the IVF rows table `index_name` (index_id) without its
// row in the other one (nullopt), or in both with different tenants.
void report_unlisted(std::vector<std::string>& problems, std::string_view index_name,
                     std::optional<int64_t> data_id, std::optional<int64_t> index_id);

// An IVF row whose list is not one of nlists, or whose code is wrong: `codes` (SQ8) wants a
// dim-byte code, else none (code_bytes nullopt: no code).
void report_bad_list_row(std::vector<std::string>& problems, int64_t id, int64_t list,
                         std::optional<int64_t> code_bytes, int64_t nlists, int dim, bool codes);

// The in-memory index against the rows it caches: its size and list count (false when they
// differ), then each example's list (in_memory) against the stored one.
bool check_memory_index_size(std::vector<std::string>& problems, int64_t vectors, int64_t lists, int64_t rows,
                             int64_t stored_lists);
void check_memory_list(std::vector<std::string>& problems, std::string_view index_name, int64_t id,
                       int64_t in_memory, int64_t stored);

// The error of table `table` listing the first problems.
std::string integrity_report(std::string_view table, const std::vector<std::string>& problems);

}  // namespace iccache
