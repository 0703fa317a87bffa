#include "index/stored_form.h"

#include <cstring>
#include <string>

#include "common/error.h"

namespace iccache::index {

namespace {
// "the stored <what> of example <id> has N bytes; expected M": the one wording of a stored
// vector or code of the wrong size.
std::string wrong_size(const char* what, int64_t id, size_t got, size_t expect) {
  return std::string("the stored ") + what + " of example " + std::to_string(id) + " has " + std::to_string(got) +
         " bytes; expected " + std::to_string(expect);
}
}  // namespace

void append_centroid(std::vector<float>& out, int64_t list, std::string_view blob, int dim) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(dim);
  const auto expect = static_cast<int64_t>(out.size() / dim);
  if (list != expect || blob.size() != bytes)
    throw CorruptData("centroid row " + std::to_string(list) + " is not list " + std::to_string(expect) + " of " +
                      std::to_string(bytes) + " bytes (run 'integrity-check', then 'optimize' to retrain)");
  out.resize(out.size() + dim);
  std::memcpy(out.data() + out.size() - dim, blob.data(), bytes);
}

std::vector<float> sq8_ranges_of(std::string_view blob, int dim) {
  const size_t expect = 2 * sizeof(float) * static_cast<size_t>(dim);
  if (blob.size() != expect)  // (an empty blob used to reach memcpy with a null pointer)
    throw CorruptData("the stored sq8_ranges hold " + std::to_string(blob.size()) + " bytes; expected " +
                      std::to_string(expect) + " (run 'optimize' to retrain)");
  std::vector<float> out(2 * static_cast<size_t>(dim));
  std::memcpy(out.data(), blob.data(), expect);
  return out;
}

void copy_vector(std::string_view blob, int dim, int64_t id, float* out, std::string_view table) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(dim);
  if (blob.size() != bytes)
    throw CorruptData((table.empty() ? std::string() : std::string(table) + ": ") +
                      wrong_size("vector", id, blob.size(), bytes));
  std::memcpy(out, blob.data(), bytes);
}

void check_stored_blob(const std::string& table, int64_t id, size_t bytes, bool codes, int dim) {
  const size_t expect = codes ? static_cast<size_t>(dim) : sizeof(float) * dim;
  if (bytes != expect)
    throw CorruptData(table + ": " + wrong_size(codes ? "code" : "vector", id, bytes, expect) + " (run INSERT INTO " +
                      table + "(" + table + ") VALUES('integrity-check'))");
}

}  // namespace iccache::index
