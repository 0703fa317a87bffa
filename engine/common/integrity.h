// The integrity rules of what a table stores (INSERT INTO ex(ex) VALUES('integrity-check'),
// iccache_integrity_check): each rule appends a problem, a phrase naming what is wrong
// ("example 7 has quality 2.000000 outside [0, 1]"), to a list; ext/table/integrity.cpp
// reads the rows and reports the list as one error.
#pragma once
#include <cstdint>
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

}  // namespace iccache
