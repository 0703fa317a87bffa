// The detectors of the personal-data scanner, one family per file (internal to
// engine/privacy: pii_scanner.h is the API; pii_scanner.cpp decides where each is tried).
// Each looks at the text from byte i and returns the end of what it found (one past its
// last byte), or nothing; each requires a word boundary at the end (pii_bytes.h kWordc).
// None reads before `from` or allocates.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

#include "privacy/pii_scanner.h"

namespace iccache::pii {

// pii_secrets.cpp: an API key with a known prefix (sk-, ghp_, AKIA, xox?-, ...) or a JWT.
std::optional<size_t> secret_at(std::string_view s, size_t i);
// "Bearer <token>": the match is the token only (the word stays, so the text still reads).
std::optional<PiiMatch> bearer_at(std::string_view s, size_t i);
// A PEM private-key block, to its END line (or the end of the text).
std::optional<size_t> pem_at(std::string_view s, size_t i);

// pii_addresses.cpp: at an '@' (at_sign), the e-mail address around it; its local part
// does not reach before `from`.
std::optional<PiiMatch> email_around(std::string_view s, size_t at_sign, size_t from);
// Four dotted decimal octets; check_end: not followed by a word byte or ".digit".
std::optional<size_t> ipv4_at(std::string_view s, size_t i, bool check_end = true);
// An IPv6 address (hex groups, at most one "::", an embedded IPv4).
std::optional<size_t> ipv6_at(std::string_view s, size_t i);

// pii_payment.cpp: a payment card number (issuer prefix, Luhn check).
std::optional<size_t> card_at(std::string_view s, size_t i);
// An IBAN (registered length, mod-97 check). A candidate of IBAN shape whose check fails
// sets *skip to its end: its digit groups are not to be searched for other numbers.
std::optional<size_t> iban_at(std::string_view s, size_t i, size_t* skip);

// pii_phones.cpp: an international number ('+' or "00"), or a North-American one.
std::optional<size_t> phone_intl_at(std::string_view s, size_t i);
std::optional<size_t> phone_nanp_at(std::string_view s, size_t i);

}  // namespace iccache::pii
