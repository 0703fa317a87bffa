#!/usr/bin/env bash
# The ThreadSanitizer stage of CI: builds the extension and the tests that use it from many
# threads (tests/sql/shared_index_test.cpp: 8 threads, each with its own connection,
# inserting, selecting, routing, giving feedback and rolling back on one shared index;
# tests/sql/lexical_shared_test.cpp: the same on the shared lexical index;
# tests/sql/background_training_test.cpp: the background training thread) with clang
# -fsanitize=thread into build-tsan, and runs them. Any data race or lock-order inversion
# fails the stage. Only these two targets are built, so the stage takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/clang_build.sh
clang_configure build-tsan -DICCACHE_TSAN=ON
cmake --build build-tsan -j"$(nproc)" --target iccache sql_threads_tests
# FAISS and OpenBLAS are not instrumented: one OpenMP/BLAS thread keeps their internal
# threads (which TSan cannot follow) out of the picture; our own threads are what is tested.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4"
echo "== ThreadSanitizer: shared index and background training (build-tsan)"
# The kill and unload tests start the sqlite3 shell, which cannot host a TSan-instrumented
# extension, and a child forked from a multi-threaded process may not start threads under
# TSan (die_after_fork); they run in the ASan and Release suites.
build-tsan/tests/sql_threads_tests --gtest_filter='-BackgroundTraining.AProcessKilledWhileTrainingLosesNothing:BackgroundTraining.AProcessThatUnloadsTheExtensionWithTheWorkerParkedExitsCleanly:BackgroundTraining.AForkedChildStartsItsOwnWorker'
