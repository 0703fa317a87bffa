#include "ext/table/admission_dedup.h"

#include "ext/table/vtab.h"

namespace iccache::ext {

std::vector<select::StoredCopy> stored_copies(Table& t, const std::string& tenant, const EncodedText& request,
                                              const std::vector<float>& vec) {
  std::vector<select::StoredCopy> out;
  if (t.storage.count() == 0) return out;
  const std::optional<std::vector<float>> unit = select::unit_vector(vec);
  if (!unit) return out;
  const std::vector<index::Hit> hits = t.search(unit->data(), select::kDedupNeighbours, &tenant, 0);
  const std::string sql = "SELECT quality, tenant, request, request_enc FROM " + t.storage.shadow("data") +
                          " WHERE id = ?";
  Stmt s = t.stmts.borrow(sql);
  for (const index::Hit& h : hits) {
    if (!select::same_vector(h.score)) break;  // best first
    s.reset().bind(1, h.id);
    if (s.step() && s.text(1) == tenant && s.int64(3) == static_cast<int64_t>(request.encoding) &&
        s.blob(2) == request.bytes)
      out.push_back({h.id, s.real(0)});
  }
  t.stmts.give_back(sql, std::move(s));
  return out;
}

}  // namespace iccache::ext
