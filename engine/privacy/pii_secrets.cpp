// The detectors of secrets (pii_detectors.h): API keys with known prefixes, JWTs, the token
// after "Bearer " and PEM private-key blocks.
#include "privacy/pii_bytes.h"
#include "privacy/pii_detectors.h"

namespace iccache::pii {

namespace {

// A key prefix followed by at least `min` (and, when exact, exactly `min`) body bytes: of
// class `body`, plus '-' and '_' when `url`.
struct KeyPrefix {
  std::string_view prefix;
  uint8_t body;
  bool url;
  size_t min;
  bool exact;
};

constexpr uint8_t kKeyBody = kDigit | kAlpha;  // ASCII letters and digits

size_t key_body(std::string_view s, size_t i, uint8_t body, bool url) {
  size_t n = 0;
  while (i + n < s.size() &&
         ((cls(s, i + n) & body) || (url && (s[i + n] == '-' || s[i + n] == '_'))))
    ++n;
  return n;
}

}  // namespace

std::optional<size_t> secret_at(std::string_view s, size_t i) {
  // Known prefixes (case-sensitive, as issued).
  static constexpr KeyPrefix kPrefixes[] = {
      {"sk-", kKeyBody, true, 20, false},  // OpenAI, Anthropic (sk-ant-...), sk-proj-...
      {"sk_live_", kKeyBody, false, 16, false},  // Stripe secret keys
      {"sk_test_", kKeyBody, false, 16, false},
      {"rk_live_", kKeyBody, false, 16, false},
      {"ghp_", kKeyBody, false, 36, false},  // GitHub tokens
      {"gho_", kKeyBody, false, 36, false},
      {"ghu_", kKeyBody, false, 36, false},
      {"ghs_", kKeyBody, false, 36, false},
      {"ghr_", kKeyBody, false, 36, false},
      {"github_pat_", kKeyBody, true, 22, false},
      {"glpat-", kKeyBody, true, 20, false},  // GitLab
      {"AIza", kKeyBody, true, 35, true},     // Google API keys
      {"AKIA", kUpper | kDigit, false, 16, true},  // AWS access key ids
      {"ASIA", kUpper | kDigit, false, 16, true},
  };
  const char c = s[i];
  if (c != 's' && c != 'r' && c != 'g' && c != 'A' && c != 'x' && c != 'e') return std::nullopt;
  for (const KeyPrefix& p : kPrefixes) {
    if (c != p.prefix[0] || !starts_with(s, i, p.prefix)) continue;
    const size_t n = key_body(s, i + p.prefix.size(), p.body, p.url);
    if (n < p.min || (p.exact && n != p.min)) continue;
    const size_t end = i + p.prefix.size() + n;
    if (is(s, end, kWordc)) continue;
    return end;
  }
  // Slack: xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr- then digits, letters and dashes.
  if (c == 'x' && starts_with(s, i, "xox") && i + 4 < s.size() && s[i + 4] == '-') {
    const char t = s[i + 3];
    if (t == 'a' || t == 'b' || t == 'o' || t == 'p' || t == 'r' || t == 's') {
      const size_t n = key_body(s, i + 5, kKeyBody, true);
      if (n >= 10 && !is(s, i + 5 + n, kWordc)) return i + 5 + n;
    }
  }
  // JWT: three base64url segments, the first a JSON object ("eyJ" = '{"').
  if (c == 'e' && starts_with(s, i, "eyJ")) {
    size_t j = i;
    for (int seg = 0; seg < 3; ++seg) {
      const size_t n = key_body(s, j, kKeyBody, true);
      if (n < 10) return std::nullopt;
      j += n;
      if (seg < 2) {
        if (at(s, j) != '.') return std::nullopt;
        ++j;
      }
    }
    if (!is(s, j, kWordc)) return j;
  }
  return std::nullopt;
}

std::optional<PiiMatch> bearer_at(std::string_view s, size_t i) {
  if (!starts_with_nocase(s, i, "bearer ")) return std::nullopt;
  size_t j = i + 7;
  while (at(s, j) == ' ') ++j;
  size_t n = run(s, j, kToken);
  while (n > 0 && s[j + n - 1] == '.') --n;  // the full stop of the sentence
  if (n < 16) return std::nullopt;
  return PiiMatch{PiiKind::kSecret, j, j + n};
}

// A PEM private-key block, from "-----BEGIN ... PRIVATE KEY-----" to its END line (or to
// the end of the text when the END line is missing: a truncated key is still a key).
std::optional<size_t> pem_at(std::string_view s, size_t i) {
  if (!starts_with(s, i, "-----BEGIN ")) return std::nullopt;
  const size_t close = s.find("-----", i + 11);
  if (close == std::string_view::npos || close - i > 80) return std::nullopt;
  const std::string_view label = s.substr(i + 11, close - (i + 11));
  if (label.find("PRIVATE KEY") == std::string_view::npos) return std::nullopt;
  const size_t end_line = s.find("-----END ", close + 5);
  if (end_line == std::string_view::npos) return s.size();
  const size_t end_close = s.find("-----", end_line + 9);
  return end_close == std::string_view::npos ? s.size() : end_close + 5;
}

}  // namespace iccache::pii
