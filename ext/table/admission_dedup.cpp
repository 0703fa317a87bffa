#include "ext/table/admission_dedup.h"

#include <cmath>

#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {
// Copies of one request have the same vector; a search returns it at cosine 1 up to float32
// rounding. Requests whose texts differ but embed identically are told apart by the text.
constexpr double kSameVector = 1 - 1e-5;
// Nearest neighbours examined: copies admitted before dedup (or by INSERT OR REPLACE of
// other rowids) are few; every one found at cosine 1 is compared.
constexpr int kNeighbours = 16;
}  // namespace

std::vector<StoredCopy> stored_copies(Table& t, const std::string& tenant, const EncodedText& request,
                                      const std::vector<float>& vec) {
  std::vector<StoredCopy> out;
  if (t.storage.count() == 0) return out;
  std::vector<float> unit(vec);
  double norm = 0;
  for (float x : unit) norm += static_cast<double>(x) * x;
  norm = std::sqrt(norm);
  if (!(norm > 0)) return out;
  for (float& x : unit) x = static_cast<float>(x / norm);
  const std::vector<index::Hit> hits = t.search(unit.data(), kNeighbours, &tenant, 0);
  const std::string sql = "SELECT quality, tenant, request, request_enc FROM " + t.storage.shadow("data") +
                          " WHERE id = ?";
  Stmt s = t.stmts.borrow(sql);
  for (const index::Hit& h : hits) {
    if (h.score < kSameVector) break;  // best first
    s.reset().bind(1, h.id);
    if (s.step() && s.text(1) == tenant && s.int64(3) == static_cast<int64_t>(request.encoding) &&
        s.blob(2) == request.bytes)
      out.push_back({h.id, s.real(0)});
  }
  t.stmts.give_back(sql, std::move(s));
  return out;
}

}  // namespace iccache::ext
