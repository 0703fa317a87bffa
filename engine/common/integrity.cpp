#include "common/integrity.h"

#include <cmath>
#include <cstring>
#include <exception>

#include "codec/text_codec.h"
#include "common/footprint.h"
#include "common/utf8.h"

namespace iccache {

void check_stored_text(std::vector<std::string>& problems, const std::string& where, int encoding,
                       std::string_view bytes) {
  try {
    if (!utf8::valid(decode_text(encoding, bytes))) problems.push_back(where + " is not valid UTF-8");
  } catch (const std::exception& e) {
    problems.push_back(where + ": " + e.what());
  }
}

void check_stored_vector(std::vector<std::string>& problems, const std::string& where, std::string_view blob,
                         int dim) {
  if (blob.size() != sizeof(float) * static_cast<size_t>(dim)) {
    problems.push_back(where + " has " + std::to_string(blob.size()) + " bytes; expected " + std::to_string(4 * dim));
    return;
  }
  std::vector<float> v(dim);
  std::memcpy(v.data(), blob.data(), blob.size());
  double norm = 0;
  for (float x : v) {
    if (!std::isfinite(x)) {
      problems.push_back(where + " holds a NaN or infinite value");
      return;
    }
    norm += static_cast<double>(x) * x;
  }
  if (std::fabs(std::sqrt(norm) - 1.0) > 1e-3)
    problems.push_back(where + " has norm " + std::to_string(std::sqrt(norm)) + "; expected 1");
}

void check_stored_row(std::vector<std::string>& problems, const StoredRow& r, const TableOptions& o) {
  const std::string ex = "example " + std::to_string(r.id);
  check_stored_text(problems, ex + " request", r.request_enc, r.request);
  check_stored_text(problems, ex + " response", r.response_enc, r.response);
  if (o.model_index(r.model) < 0) problems.push_back(ex + " has unknown model '" + std::string(r.model) + "'");
  if (!(r.quality >= 0 && r.quality <= 1))
    problems.push_back(ex + " has quality " + std::to_string(r.quality) + " outside [0, 1]");
  const int64_t bytes = example_bytes(static_cast<int64_t>(r.request.size()), static_cast<int64_t>(r.response.size()),
                                      static_cast<int64_t>(r.model.size()), static_cast<int64_t>(r.tenant.size()), o.dim);
  if (r.bytes != bytes)
    problems.push_back(ex + " records " + std::to_string(r.bytes) + " bytes; expected " + std::to_string(bytes));
  check_stored_vector(problems, ex + " vector", r.vector, o.dim);
}

void check_state(std::vector<std::string>& problems, std::string_view table, std::optional<int64_t> format,
                 int64_t expected_format, int64_t generation_rows, std::optional<int64_t> bytes_total,
                 double bytes_sum) {
  const std::string t(table);
  if (format != expected_format)
    problems.push_back(t + "_state: format version missing or not " + std::to_string(expected_format));
  if (generation_rows != 1) problems.push_back(t + "_state: the generation row is missing");
  const int64_t sum = static_cast<int64_t>(bytes_sum);
  if (!bytes_total || *bytes_total != sum)
    problems.push_back(t + "_state: the 'bytes' total is " + (bytes_total ? std::to_string(*bytes_total) : "missing") +
                       "; expected " + std::to_string(sum) + ", the sum of bytes over " + t + "_data");
}

void check_centroid_count(std::vector<std::string>& problems, std::string_view table, int64_t centroids,
                          int64_t trained_n, int64_t lists_made) {
  const std::string t(table);
  if ((trained_n > 0) != (centroids > 0))
    problems.push_back(t + "_centroids holds " + std::to_string(centroids) + " centroids but the index is " +
                       (trained_n > 0 ? "trained" : "untrained"));
  if (trained_n > 0 && centroids > 0 && centroids != lists_made)
    problems.push_back(t + "_centroids holds " + std::to_string(centroids) + " centroids but the training of " +
                       std::to_string(trained_n) + " examples made " + std::to_string(lists_made));
}

void report_unlisted(std::vector<std::string>& problems, std::string_view index_name,
                     std::optional<int64_t> data_id, std::optional<int64_t> index_id) {
  if (!data_id)
    problems.push_back(std::string(index_name) + " lists example " + std::to_string(*index_id) +
                       " which does not exist");
  else if (!index_id)
    problems.push_back("example " + std::to_string(*data_id) + " is in no IVF list");
  else
    problems.push_back("example " + std::to_string(*data_id) + " has a different tenant in " + std::string(index_name));
}

void report_bad_list_row(std::vector<std::string>& problems, int64_t id, int64_t list,
                         std::optional<int64_t> code_bytes, int64_t nlists, int dim, bool codes) {
  const std::string code = !code_bytes ? (codes ? " with no code" : "")
                                       : " with a " + std::to_string(*code_bytes) + "-byte code";
  problems.push_back("example " + std::to_string(id) + " is in list " + std::to_string(list) + code +
                     "; expected a list from 0 to " + std::to_string(nlists - 1) +
                     (codes ? " and a " + std::to_string(dim) + "-byte code" : " and no code"));
}

bool check_memory_index_size(std::vector<std::string>& problems, int64_t vectors, int64_t lists, int64_t rows,
                             int64_t stored_lists) {
  if (vectors == rows && lists == stored_lists) return true;
  problems.push_back("the in-memory index holds " + std::to_string(vectors) + " vectors in " +
                     std::to_string(lists) + " lists but the tables hold " + std::to_string(rows) + " in " +
                     std::to_string(stored_lists));
  return false;
}

void check_memory_list(std::vector<std::string>& problems, std::string_view index_name, int64_t id,
                       int64_t in_memory, int64_t stored) {
  if (in_memory != stored)
    problems.push_back("example " + std::to_string(id) + " is in list " + std::to_string(in_memory) +
                       " in memory but list " + std::to_string(stored) + " in " + std::string(index_name));
}

std::string integrity_report(std::string_view table, const std::vector<std::string>& problems) {
  std::string msg = std::string(table) + ": integrity-check found " + std::to_string(problems.size()) + " problem(s): ";
  for (size_t i = 0; i < problems.size() && i < 10; ++i) msg += (i ? "; " : "") + problems[i];
  return msg;
}

}  // namespace iccache
