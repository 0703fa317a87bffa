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

}  // namespace iccache
