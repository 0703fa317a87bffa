// SQL functions of privacy (docs/privacy.md; functions.h):
//   iccache_scrub(text [, mode])   what a table with pii=mode (default 'redact') would store
//                                  for this text: placeholders under 'redact', the text or an
//                                  error naming the kind and byte offset under 'reject', the
//                                  text itself under 'off'; NULL for NULL.
#include <string>

#include "common/utf8.h"
#include "ext/functions.h"
#include "ext/sql/args.h"
#include "ext/sql/guard.h"
#include "privacy/pii_scanner.h"

namespace iccache::ext {

void scrub_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_scrub";
    PiiMode mode = PiiMode::kRedact;
    if (argc == 2) {
      std::optional<PiiMode> parsed;
      if (sqlite3_value_type(argv[1]) == SQLITE_TEXT) parsed = parse_pii_mode(text_of(argv[1]));
      if (!parsed) refuse(f, "mode", "'off', 'redact' or 'reject'", argv[1]);
      mode = *parsed;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
      sqlite3_result_null(ctx);
      return;
    }
    const std::string_view text = text_arg(argv[0], f, "text", "TEXT");
    utf8::require_valid(text, std::string(f) + ": the text");
    std::string out;
    if (scrub_for_storage(mode, text, std::string(f) + ": the text", &out))
      sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
    else
      sqlite3_result_value(ctx, argv[0]);
  });
}

}  // namespace iccache::ext
