// The scan of the personal-data scanner (pii_scanner.h): where each detector
// (pii_detectors.h) is tried, sixteen bytes at a time with SSE2 or one at a time, and what is
// done with the matches.
#include "privacy/pii_scanner.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/error.h"
#include "privacy/pii_bytes.h"
#include "privacy/pii_detectors.h"

namespace iccache {

using namespace pii;  // the byte classes and detectors, internal to engine/privacy

namespace {

// A cheap look at the next few bytes: false when no detector can match at i (the common
// case: a word or number that starts nothing). It must never say false where match_at
// would find something: each case below lists what the detectors need at their start.
inline bool worth_trying(std::string_view s, size_t i) {
  const char c = s[i];
  const char n1 = at(s, i + 1);
  const uint8_t k = kClass[static_cast<unsigned char>(c)];
  if ((k & kUpper) && is(s, i + 1, kUpper) && is(s, i + 2, kDigit)) return true;  // IBAN
  switch (c) {
    case '-': return n1 == '-';
    case '+':
    case '(': return is(s, i + 1, kDigit);
    case ':': return n1 == ':';
    case 's':
    case 'r': return n1 == 'k';
    case 'g': return n1 == 'h' || n1 == 'i' || n1 == 'l';
    case 'x': return n1 == 'o';
    case 'e': return n1 == 'y';
    case 'b':
    case 'B': return n1 == 'e' || n1 == 'E';
    case 'A': return n1 == 'I' || n1 == 'K' || n1 == 'S';
    default: break;
  }
  if (k & kDigit) {
    const size_t d = run(s, i, kDigit, 13);
    if (d >= 13) return true;
    const char n = at(s, i + d);
    if (n == ' ' || n == '-' || n == '.') return is(s, i + d + 1, kDigit);
    return n == ':' || at(s, i + run(s, i, kHex, 5)) == ':';  // IPv6 group ("2a01:")
  }
  return false;  // an IPv6 address opening with a hex letter is found at its first ':'
}

// At a ':' (i): the start of the IPv6 group of 1-4 hex digits before it, when that group
// opens with a letter (a-f, A-F) at a word boundary, not after a full stop, and not before
// `from`: where match_at would have tried the address had the scan stopped at every hex
// letter. (Groups opening with a digit were tried at the digit.)
inline std::optional<size_t> letter_group_before(std::string_view s, size_t i, size_t from) {
  size_t g = i;
  while (g > from && i - g < 5 && is(s, g - 1, kHex)) --g;
  if (g == i || i - g > 4 || is(s, g, kDigit) || word_before(s, g) || (g > 0 && s[g - 1] == '.'))
    return std::nullopt;
  return g;
}

// The match starting at i, if any. *skip is set past a look-alike that must not be searched
// inside (see iban_at).
std::optional<PiiMatch> match_at(std::string_view s, size_t i, size_t* skip) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const uint8_t k = kClass[c];
  const bool word_start = !word_before(s, i);
  auto found = [&](PiiKind kind, size_t end) { return PiiMatch{kind, i, end}; };
  if (c == '-') {
    if (auto e = pem_at(s, i)) return found(PiiKind::kSecret, *e);
  }
  if (c == '+' && word_start) {
    if (auto e = phone_intl_at(s, i)) return found(PiiKind::kPhone, *e);
  }
  if (c == '(' && word_start) {
    if (auto e = phone_nanp_at(s, i)) return found(PiiKind::kPhone, *e);
  }
  if (c == ':' && at(s, i + 1) == ':' && !(i > 0 && is(s, i - 1, kHex))) {
    if (auto e = ipv6_at(s, i)) return found(PiiKind::kIp, *e);
  }
  if (!word_start || !(k & (kDigit | kAlpha))) return std::nullopt;
  // Keys may follow "=" or ":" but not another key character such as '-'.
  if ((k & kAlpha) && !(i > 0 && (s[i - 1] == '-' || s[i - 1] == '.' || s[i - 1] == '/'))) {
    if (auto e = secret_at(s, i)) return found(PiiKind::kSecret, *e);
    if (c == 'B' || c == 'b') {
      if (auto m = bearer_at(s, i)) return m;
    }
    if (k & kUpper) {
      if (auto e = iban_at(s, i, skip)) return found(PiiKind::kIban, *e);
      if (*skip > i) return std::nullopt;
    }
  }
  const bool after_dot = i > 0 && s[i - 1] == '.';
  if ((k & kDigit) && !after_dot) {
    if (auto e = card_at(s, i)) return found(PiiKind::kCard, *e);
    if (auto e = phone_intl_at(s, i)) return found(PiiKind::kPhone, *e);
    if (auto e = phone_nanp_at(s, i)) return found(PiiKind::kPhone, *e);
    if (auto e = ipv4_at(s, i)) return found(PiiKind::kIp, *e);
  }
  if ((k & kHex) && !after_dot && at(s, i + run(s, i, kHex, 5)) == ':') {
    if (auto e = ipv6_at(s, i)) return found(PiiKind::kIp, *e);
  }
  return std::nullopt;
}

}  // namespace

namespace {
struct KindWords {
  std::string_view placeholder, id, phrase;
};
// By PiiKind, in its order.
static_assert(static_cast<int>(PiiKind::kSecret) == kPiiKindCount - 1);
constexpr KindWords kKindWords[kPiiKindCount] = {
    {"<EMAIL>", "email", "an e-mail address"},
    {"<PHONE>", "phone", "a phone number"},
    {"<CARD>", "card", "a payment card number"},
    {"<IBAN>", "iban", "an IBAN"},
    {"<IP>", "ip", "an IP address"},
    {"<SECRET>", "secret", "a secret (API key, token or private key)"},
};
const KindWords& words(PiiKind kind) { return kKindWords[static_cast<int>(kind)]; }
}  // namespace

std::string_view pii_placeholder(PiiKind kind) { return words(kind).placeholder; }
std::string_view pii_kind_id(PiiKind kind) { return words(kind).id; }
std::string_view pii_kind_phrase(PiiKind kind) { return words(kind).phrase; }

namespace {

// What the scan does at a byte that may start a match (its trigger bit allowed it): a match,
// or nothing, with *resume set past a look-alike that must not be searched inside.
std::optional<PiiMatch> try_at(std::string_view s, size_t i, size_t from, size_t* resume) {
  const char c = s[i];
  if (c == '@') return email_around(s, i, from);
  if (c == ':') {
    if (const auto g = letter_group_before(s, i, from)) {
      if (const auto e = ipv6_at(s, *g); e && at(s, *e) != '@') return PiiMatch{PiiKind::kIp, *g, *e};
    }
  }
  if (!worth_trying(s, i)) return std::nullopt;
  size_t skip = 0;
  auto m = match_at(s, i, &skip);
  // A number or key right before '@' is the local part of an address, found at the '@'.
  if (m && at(s, m->end) != '@') return m;
  if (skip > i) *resume = skip;
  return std::nullopt;
}

#if defined(__SSE2__)
// Sixteen bytes at a time (SSE2, in every x86-64 CPU): two bit masks, which bytes are word
// bytes and which may start a match. The second is worth_trying's first look (its byte and
// the one or two after it) for all sixteen at once, so the per-byte work runs only where it
// has a chance: about 3 bytes in 100 of GSM8K's text, where a digit or capital letter opens
// every other word. It must never drop a byte worth_trying would accept.
struct Classes {
  uint32_t word;       // letters, digits, '_', non-ASCII bytes
  uint32_t anywhere;   // may start a match after any byte
  uint32_t boundary;   // may start a match after a non-word byte only
};

// p[0..17] must be readable: the bytes i+1 and i+2 of the last of the sixteen are looked at.
inline Classes classify16(const char* p) {
  const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2));
  auto eq = [](__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  auto either = [](__m128i a, __m128i b) { return _mm_or_si128(a, b); };
  auto both = [](__m128i a, __m128i b) { return _mm_and_si128(a, b); };
  // Signed byte compares: non-ASCII bytes are negative and fall in no ASCII range.
  auto in = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  const __m128i digit0 = in(v0, '0', '9'), digit1 = in(v1, '0', '9'), digit2 = in(v2, '0', '9');
  const __m128i upper0 = in(v0, 'A', 'Z'), upper1 = in(v1, 'A', 'Z');
  const __m128i letter0 = in(_mm_or_si128(v0, _mm_set1_epi8(0x20)), 'a', 'z');  // A-Z folded
  const __m128i word = either(either(letter0, digit0), either(eq(v0, '_'), _mm_cmplt_epi8(v0, _mm_setzero_si128())));
  // '@' always (e-mail); ':' always (IPv6: "::", or the end of a group opening with a letter);
  // "--" (PEM); '+' or '(' before a digit (phone).
  const __m128i anywhere = either(either(eq(v0, '@'), eq(v0, ':')),
                                  either(both(eq(v0, '-'), eq(v1, '-')),
                                         both(either(eq(v0, '+'), eq(v0, '(')), digit1)));
  // Capital then capital (IBAN "DE89", AKIA/ASIA/AIza keys); B/b before e/E ("Bearer");
  // sk/rk, gh/gi/gl, xo, ey (key prefixes, JWT).
  const __m128i e1 = either(eq(v1, 'e'), eq(v1, 'E'));
  const __m128i letters = either(
      either(both(upper0, upper1), both(either(eq(v0, 'B'), eq(v0, 'b')), e1)),
      either(either(both(either(eq(v0, 's'), eq(v0, 'r')), eq(v1, 'k')),
                    both(eq(v0, 'g'), either(eq(v1, 'h'), either(eq(v1, 'i'), eq(v1, 'l'))))),
             either(both(eq(v0, 'x'), eq(v1, 'o')), both(eq(v0, 'e'), eq(v1, 'y')))));
  // A digit before a digit (a longer number), before ' ', '-' or '.' and a digit (grouped
  // numbers, phones, IPv4), before ':' or a hex letter (IPv6 "2001:", "2a01:").
  const __m128i sep1 = either(either(eq(v1, ' '), eq(v1, '-')), eq(v1, '.'));
  const __m128i hex1 = in(_mm_or_si128(v1, _mm_set1_epi8(0x20)), 'a', 'f');
  const __m128i digits = both(digit0, either(either(digit1, both(sep1, digit2)), either(eq(v1, ':'), hex1)));
  return {static_cast<uint32_t>(_mm_movemask_epi8(word)), static_cast<uint32_t>(_mm_movemask_epi8(anywhere)),
          static_cast<uint32_t>(_mm_movemask_epi8(either(letters, digits)))};
}
#endif

}  // namespace

namespace detail {

std::optional<PiiMatch> next_pii_bytewise(std::string_view s, size_t from) {
  // Whether the byte before the one looked at is a word byte: kAtBoundary bytes start
  // nothing after one.
  bool after_word = from > 0 && from <= s.size() && (kScan[static_cast<unsigned char>(s[from - 1])] & kWordByte);
  for (size_t i = from; i < s.size(); ++i) {
    const uint8_t scan = kScan[static_cast<unsigned char>(s[i])];
    const bool trigger = scan & (after_word ? kAnywhere : (kAnywhere | kAtBoundary));
    after_word = scan & kWordByte;
    if (!trigger) continue;
    size_t resume = 0;
    if (auto m = try_at(s, i, from, &resume)) return m;
    if (resume > i) {
      i = resume - 1;
      after_word = kScan[static_cast<unsigned char>(s[i])] & kWordByte;
    }
  }
  return std::nullopt;
}

}  // namespace detail

std::optional<PiiMatch> next_pii(std::string_view s, size_t from) {
#if defined(__SSE2__)
  if (from >= s.size()) return std::nullopt;
  bool after_word = from > 0 && (kScan[static_cast<unsigned char>(s[from - 1])] & kWordByte);
  size_t i = from;
  while (i < s.size()) {
    const size_t n = std::min<size_t>(16, s.size() - i);
    Classes k;
    if (s.size() - i >= 18) {
      k = classify16(s.data() + i);
    } else {  // the tail, padded with NUL bytes (which start nothing and are no word bytes),
              // as at() reads past the end
      char tail[32] = {};
      std::memcpy(tail, s.data() + i, s.size() - i);
      k = classify16(tail);
    }
    const uint32_t before_word = (k.word << 1) | (after_word ? 1u : 0u);
    uint32_t candidates = (k.anywhere | (k.boundary & ~before_word)) & ((1u << n) - 1);
    size_t next = i + n;
    while (candidates) {
      const size_t at_i = i + static_cast<size_t>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      size_t resume = 0;
      if (auto m = try_at(s, at_i, from, &resume)) return m;
      if (resume > at_i) {  // a look-alike not to be searched inside: go on from its end
        next = resume;
        break;
      }
    }
    if (next >= s.size()) break;
    after_word = kScan[static_cast<unsigned char>(s[next - 1])] & kWordByte;
    i = next;
  }
  return std::nullopt;
#else
  return detail::next_pii_bytewise(s, from);
#endif
}

bool redact_pii(std::string_view text, std::string* out) {
  auto m = next_pii(text, 0);
  if (!m) return false;
  std::string r;
  r.reserve(text.size());
  size_t copied = 0;
  while (m) {
    r.append(text.substr(copied, m->begin - copied));
    r.append(pii_placeholder(m->kind));
    copied = m->end;
    m = next_pii(text, copied);
  }
  r.append(text.substr(copied));
  *out = std::move(r);
  return true;
}

std::optional<PiiMode> parse_pii_mode(std::string_view value) {
  std::string v(value);
  for (char& c : v)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (v == "off") return PiiMode::kOff;
  if (v == "redact") return PiiMode::kRedact;
  if (v == "reject") return PiiMode::kReject;
  return std::nullopt;
}

bool scrub_for_storage(PiiMode mode, std::string_view text, const std::string& what,
                       std::string* out) {
  if (mode == PiiMode::kOff) return false;
  if (mode == PiiMode::kRedact) return redact_pii(text, out);
  if (auto m = next_pii(text, 0)) {
    throw Error(what + ": contains " + std::string(pii_kind_phrase(m->kind)) +
                " at byte offset " + std::to_string(m->begin) +
                ", which pii='reject' refuses; expected text without personal data (or"
                " pii='redact' to store it as " + std::string(pii_placeholder(m->kind)) + ")");
  }
  return false;
}

}  // namespace iccache
