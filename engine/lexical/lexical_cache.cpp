#include "lexical/lexical_cache.h"

#include "common/cache_choice.h"

namespace iccache::lexical {

void offer_lexical(LexicalCache& c, LexicalCache& built) {
  offer_built(c, built, [](LexicalCache& to, const LexicalCache& from) { to.load_seconds = from.load_seconds; });
}

}  // namespace iccache::lexical
