#include "route/route_store.h"

#include <cstring>

#include "common/error.h"

namespace iccache::route {

namespace {

template <class M>
std::string_view bytes_of(const M& m) {
  return {reinterpret_cast<const char*>(m.data()), sizeof(double) * static_cast<size_t>(m.size())};
}

template <class M>
void read_into(M& m, std::string_view blob, const std::string& what) {
  if (blob.size() != sizeof(double) * static_cast<size_t>(m.size()))
    throw CorruptData(what + " has " + std::to_string(blob.size()) + " bytes; expected " +
                      std::to_string(sizeof(double) * m.size()));
  std::memcpy(m.data(), blob.data(), blob.size());
}

}  // namespace

std::string_view stored_bytes(const Mat& m) { return bytes_of(m); }
std::string_view stored_bytes(const Vec& v) { return bytes_of(v); }
void read_stored(std::string_view blob, Mat& m, const std::string& what) { read_into(m, blob, what); }
void read_stored(std::string_view blob, Vec& v, const std::string& what) { read_into(v, blob, what); }

Features stored_features(std::string_view blob, const std::string& table, const std::string& what) {
  if (std::optional<Features> x = parse_features(blob)) return *x;
  throw CorruptData(table + "_decisions: " + what + " has " + std::to_string(blob.size()) +
                    " bytes of features; expected " + std::to_string(sizeof(Features)));
}

}  // namespace iccache::route
