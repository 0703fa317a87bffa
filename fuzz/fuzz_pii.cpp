// The personal-data scanner on arbitrary bytes: the sixteen-bytes-at-a-time scan must find
// exactly what the byte-wise reference finds (from the first 24 start offsets and along the
// chain of matches); matches lie inside the text; redaction is deterministic.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "privacy/pii_scanner.h"

namespace {

// One scan from `from` both ways; returns the match (or nothing) they agree on.
std::optional<iccache::PiiMatch> both_scans(std::string_view text, size_t from) {
  const auto a = iccache::next_pii(text, from);
  const auto b = iccache::detail::next_pii_bytewise(text, from);
  if (a.has_value() != b.has_value()) iccache_fuzz::fail("vectorised and byte-wise scans disagree");
  if (!a) return a;
  if (a->kind != b->kind || a->begin != b->begin || a->end != b->end)
    iccache_fuzz::fail("vectorised and byte-wise scans found different matches");
  if (a->begin < from || a->end <= a->begin || a->end > text.size()) iccache_fuzz::fail("match out of bounds");
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first 24 start offsets put the text at every phase of the 16-byte blocks; then the
  // chain of offsets redact_pii follows (each from the previous match's end).
  for (size_t from = 0; from <= size && from < 24; ++from) both_scans(text, from);
  for (size_t from = 0; from <= size;) {
    const auto m = both_scans(text, from);
    if (!m) break;
    from = m->end;
  }
  std::string one, two;
  const bool r1 = iccache::redact_pii(text, &one);
  const bool r2 = iccache::redact_pii(text, &two);
  if (r1 != r2 || one != two) iccache_fuzz::fail("redaction is not deterministic");
  return 0;
}
