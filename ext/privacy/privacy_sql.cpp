// SQL functions of privacy (docs/privacy.md):
//   iccache_scrub(text [, mode])   what a table with pii=mode (default 'redact') would store
//                                  for this text: placeholders under 'redact', the text or an
//                                  error naming the kind and byte offset under 'reject', the
//                                  text itself under 'off'; NULL for NULL.
#include <string>

#include "common/error.h"
#include "common/utf8.h"
#include "privacy/pii_scanner.h"
#include "ext/route/route_args.h"
#include "ext/sql/sqlite_api.h"

namespace iccache::ext {

namespace {

void scrub(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  constexpr const char* f = "iccache_scrub";
  try {
    PiiMode mode = PiiMode::kRedact;
    if (argc == 2) {
      const char* m = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
      std::optional<PiiMode> parsed;
      if (sqlite3_value_type(argv[1]) == SQLITE_TEXT && m) parsed = parse_pii_mode(m);
      if (!parsed)
        throw Error(std::string(f) + ": mode " + describe(argv[1]) +
                    " is not valid; expected 'off', 'redact' or 'reject'");
      mode = *parsed;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
      sqlite3_result_null(ctx);
      return;
    }
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT)
      throw Error(std::string(f) + ": text must be TEXT; received " + describe(argv[0]));
    const std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                                sqlite3_value_bytes(argv[0]));
    const size_t bad = utf8::first_invalid(text);
    if (bad != text.size())
      throw Error(std::string(f) + ": the text is not valid UTF-8 (invalid byte at offset " +
                  std::to_string(bad) + "); expected UTF-8 text");
    std::string out;
    if (scrub_for_storage(mode, text, std::string(f) + ": the text", &out)) {
      sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_result_value(ctx, argv[0]);
    }
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

}  // namespace

int register_privacy_functions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (int n : {1, 2}) {
    int rc = sqlite3_create_function(db, "iccache_scrub", n, flags, nullptr, scrub, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace iccache::ext
