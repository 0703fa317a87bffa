// The crash test's workload, a pure function of the transaction number t = 1, 2, ...:
// what transaction t writes, and what the database must hold once transactions 1..T have
// committed. The child (crash_child.cpp) runs it, the verifier (crash_verify.cpp) checks
// the file against it after every kill, so the expected state is exact, not a heuristic.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace iccache_rel {

// The table both databases use; sq8 on one of them so both list layouts are crashed.
constexpr int kDim = 32;
constexpr int kPerTxn = 8;          // examples inserted by each transaction
constexpr int kOptimizeEvery = 25;  // transaction t runs 'optimize' when t % this == 0
constexpr int kDoomedEvery = 13;    // before transaction t, a transaction that rolls back
// Transaction t queues a background training ('optimize-background') when t % this == 0,
// so the worker thread of the child trains while the child goes on writing.
constexpr int kBackgroundEvery = 4;

std::string create_sql(bool sq8);

inline int64_t example_id(int64_t t, int j) { return t * 16 + j; }
std::string request_text(int64_t t, int j);  // j == 7: ~2 KB, stored lz4-compressed
std::string response_text(int64_t t, int j);
std::string revised_response(int64_t t);     // written by transaction t + 1 when it is even
std::string model_of(int j);
std::string tenant_of(int j);
double quality_of(int64_t t, int j);

// Transaction t deletes example (t - 3, 1) and revises example (t - 1, 2) when t is even.
bool deleted_by(int64_t t, int j, int64_t committed);
bool revised_by(int64_t t, int j, int64_t committed);
// Transaction t routes with examples (t, 0) and (t, 3) shown and feeds back a reward, so
// exactly those examples have uses = 1.
bool shown(int j);

struct ExpectedExample {
  int64_t id;
  std::string request, response, model, tenant;
  int64_t uses;
};
// Every example that must exist after transactions 1..committed, in id order.
std::vector<ExpectedExample> expected_examples(int64_t committed);

}  // namespace iccache_rel
