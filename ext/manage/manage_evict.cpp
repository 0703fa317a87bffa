#include "ext/manage/manage_evict.h"

#include "ext/functions.h"
#include "ext/manage/manage_store.h"
#include "ext/table/registry.h"
#include "ext/sql/args.h"
#include "ext/sql/write_txn.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// Eviction's store (engine/manage/eviction_run.h): the statistics columns and the table's delete.
class TableEviction : public manage::EvictionStore {
 public:
  explicit TableEviction(Table& t) : t_(t) {}
  std::vector<manage::EvictionCandidate> candidates(const std::string* tenant) override {
    return t_.manage.eviction_candidates(tenant);
  }
  int64_t total_bytes() override { return t_.manage.total_bytes(); }
  int64_t tenant_bytes(const std::string& tenant) override { return t_.manage.tenant_bytes(tenant); }
  void evict(int64_t id) override { t_.delete_example(id); }

 private:
  Table& t_;
};

}  // namespace

void check_fits_budget(const Table& t, int64_t bytes) {
  manage::check_fits_budget(t.name, bytes, t.options.budget, t.options.tenant_budget);
}

void evict_after_insert(Table& t, int64_t id, const std::string& tenant) {
  TableEviction store(t);
  manage::evict_after_insert(store, t.options, id, tenant);
}

namespace {

// The argument's SQL type and value; the rule is manage::evict_budget_arg's.
int64_t budget_arg(sqlite3_value* v) {
  std::optional<int64_t> integer;
  std::optional<std::string_view> text;
  if (sqlite3_value_type(v) == SQLITE_INTEGER) integer = sqlite3_value_int64(v);
  if (sqlite3_value_type(v) == SQLITE_TEXT) text = text_of(v);
  if (const std::optional<int64_t> budget = manage::evict_budget_arg(integer, text)) return *budget;
  refuse("iccache_evict", "budget", manage::kEvictBudgetExpected, v);
}

}  // namespace

// iccache_evict('ex' [, budget [, tenant]]), in one write transaction (write_txn.h).
void evict_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  guarded(ctx, [&] {
    constexpr const char* f = "iccache_evict";
    Table* t = find_table(db, table_name_arg(argv[0], f), f);
    std::optional<std::string> tenant;
    if (argc >= 3) tenant = tenant_arg(argv[2], f);
    if (sqlite3_db_readonly(db, t->storage.schema().c_str()) == 1)
      throw SqlError(SQLITE_READONLY, "iccache_evict: table " + t->name +
                                          " is in a read-only database; eviction needs to write");
    std::optional<int64_t> given;  // with a tenant, a NULL budget means the tenant_budget
    if (argc >= 2 && !(tenant && sqlite3_value_type(argv[1]) == SQLITE_NULL)) given = budget_arg(argv[1]);
    const int64_t budget =
        manage::evict_budget(t->name, given, tenant.has_value(), t->options.budget, t->options.tenant_budget);
    int64_t before = t->storage.count();
    if (tenant) {
      Stmt n(db, "SELECT count(*) FROM " + t->storage.shadow("data") + " WHERE tenant = ?");
      n.bind_text(1, *tenant).step();
      before = n.int64(0);
    }
    TableEviction store(*t);
    const manage::EvictionPlan plan = in_write_transaction(db, f, [&] {
      return manage::evict_to_capacity(store, t->options, budget, std::nullopt, tenant ? &*tenant : nullptr);
    });
    const std::string json = manage::eviction_json(plan, before - static_cast<int64_t>(plan.evict.size()));
    sqlite3_result_text(ctx, json.c_str(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
  });
}

}  // namespace iccache::ext
