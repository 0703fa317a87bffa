// dedup=on (issue 15): admission keeps one example per request. A new row whose request is
// already stored (same tenant, same request text, same embedding up to float rounding) is
// compared with the stored copies by quality, the judged value: the better one stays.
// ext/table/admission_dedup.cpp finds the copies (an index search, then the stored text and
// tenant); these are the rules it and the INSERT follow.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace iccache::select {

// Nearest neighbours examined: copies admitted before dedup (or by INSERT OR REPLACE of
// other rowids) are few; every one found at cosine 1 is compared.
constexpr int kDedupNeighbours = 16;

// Copies of one request have the same vector; a search returns it at cosine 1 up to float32
// rounding. Requests whose texts differ but embed identically are told apart by the text.
inline bool same_vector(double cosine) { return cosine >= 1 - 1e-5; }

// v scaled to unit length, the form the index searches with; nullopt when v has no length
// (nothing is then a copy of it).
std::optional<std::vector<float>> unit_vector(std::span<const float> v);

struct StoredCopy {
  int64_t id;
  double quality;
};

// What an INSERT of an example of `quality` with these stored copies does: `keep`, a copy at
// least as good (the first), stays and nothing is written (the INSERT reports its rowid);
// otherwise every copy is worse and is `replace`d: deleted, with its statistics, before the
// new row is written.
struct DedupAdmission {
  std::optional<int64_t> keep;
  std::vector<StoredCopy> replace;
};
DedupAdmission dedup_admission(std::span<const StoredCopy> copies, double quality);

}  // namespace iccache::select
