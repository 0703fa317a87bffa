#include "ext/store/columns.h"

#include "ext/sql/stmt.h"

namespace iccache::ext {

namespace {

struct Spec {
  const char* name;
  const char* type;
};

// BOTH's and TABLE's third argument is the declared type; BOTH's fourth and DATA's third
// the stored one.
#define ICCACHE_DECLARED(id, name, declared, ...) {name, declared},
#define ICCACHE_STORED_BOTH(id, name, declared, stored) {name, stored},
#define ICCACHE_STORED(id, name, stored) {name, stored},
constexpr Spec kTable[] = {ICCACHE_COLUMNS(ICCACHE_DECLARED, ICCACHE_DECLARED, ICCACHE_SKIP)};
constexpr Spec kData[] = {ICCACHE_COLUMNS(ICCACHE_STORED_BOTH, ICCACHE_SKIP, ICCACHE_STORED)};
#undef ICCACHE_DECLARED
#undef ICCACHE_STORED_BOTH
#undef ICCACHE_STORED
static_assert(std::size(kTable) == kTableCol);
static_assert(std::size(kData) == kDataCount - 1);

enum class Form { kNames, kTypes, kAssign };

// "a, b", "a TYPE, b TYPE" or "a = ?1, b = ?2".
template <size_t N>
std::string join(const Spec (&specs)[N], Form form) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i) out += ", ";
    out += specs[i].name;
    if (form == Form::kTypes) out += std::string(" ") + specs[i].type;
    if (form == Form::kAssign) out += " = ?" + std::to_string(i + 1);
  }
  return out;
}

}  // namespace

std::string declare_sql(const std::string& table) {
  return "CREATE TABLE x(" + join(kTable, Form::kTypes) + ", " + quote_id(table) + " HIDDEN)";
}

const std::string& data_columns_sql() {
  static const std::string sql = join(kData, Form::kNames);
  return sql;
}

const std::string& data_columns_ddl() {
  static const std::string sql = join(kData, Form::kTypes);
  return sql;
}

const std::string& data_columns_update_sql() {
  static const std::string sql = join(kData, Form::kAssign);
  return sql;
}

}  // namespace iccache::ext
