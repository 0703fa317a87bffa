// The crash test's child: runs the workload (crash_workload.h) on one database file until
// it is killed, announcing on `fd` "B t" before transaction t begins and "C t" once its
// COMMIT has returned, so the parent knows what was acknowledged when the SIGKILL landed
// ("O t" / "T t" around its 'optimize', to count kills inside training; "R t" after
// transaction t when its own background training holds the lock row, so the parent can
// aim a kill at it).
#pragma once
#include <string>

namespace iccache_rel {

// Never returns normally; exits 2 with a message on stderr if any statement fails.
[[noreturn]] void run_crash_child(const std::string& db_path, const std::string& ext_path, int fd);

}  // namespace iccache_rel
