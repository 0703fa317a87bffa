// CREATE option parsing: the input is split on newlines into the module arguments of
// CREATE VIRTUAL TABLE ... USING iccache(arg, arg, ...). Bad options must be an
// iccache::Error; accepted ones must satisfy the documented ranges.
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "fuzz_check.h"
#include "options/table_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') args.emplace_back();
    else args.back() += static_cast<char>(data[i]);
  }
  try {
    iccache::TableOptions o = iccache::parse_table_options("fuzz", args);
    if (o.dim < 1 || o.dim > 4096) iccache_fuzz::fail("accepted dim out of range");
    if (o.models.empty()) iccache_fuzz::fail("accepted an empty models list");
    for (const auto& m : o.models)
      if (!(m.cost >= 0) || m.name.empty()) iccache_fuzz::fail("accepted a bad model");
    if (o.budget && *o.budget <= 0) iccache_fuzz::fail("accepted a budget <= 0");
    (void)o.default_model();
    (void)o.model_list();
  } catch (const iccache::Error&) {
  }
  // The size and models parsers on the whole input as one value.
  std::string_view v(reinterpret_cast<const char*>(data), size);
  try {
    if (iccache::parse_size("fuzz", "budget", v) <= 0) iccache_fuzz::fail("parse_size accepted a size <= 0");
  } catch (const iccache::Error&) {
  }
  try {
    (void)iccache::parse_models("fuzz", v);
  } catch (const iccache::Error&) {
  }
  return 0;
}
