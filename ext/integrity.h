// 'integrity-check': verifies that the shadow tables agree with each other and with the
// table's options. Returns one sentence per problem found (empty: all good).
#pragma once
#include <string>
#include <vector>

namespace iccache::ext {

struct Table;
std::vector<std::string> check_integrity(Table& t);

}  // namespace iccache::ext
