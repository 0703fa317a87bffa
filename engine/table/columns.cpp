#include "table/columns.h"

#include <iterator>

namespace iccache::table {

namespace {
#define ICCACHE_NAME(id, name, ...) name,
constexpr const char* kNames[] = {ICCACHE_COLUMNS(ICCACHE_NAME, ICCACHE_NAME, ICCACHE_SKIP)};
#undef ICCACHE_NAME
static_assert(std::size(kNames) == kTableCol);
}  // namespace

const char* column_name(int col) { return col >= 0 && col < kTableCol ? kNames[col] : "?"; }

}  // namespace iccache::table
